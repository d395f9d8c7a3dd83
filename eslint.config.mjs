// Lint of what n8n loads: package.json, nodes/ and credentials/. The same rules that n8n's
// community-package scanner applies (@n8n/eslint-plugin-community-nodes, "recommended") plus
// eslint-plugin-n8n-nodes-base's community, credentials and nodes sets.
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const parserOptions = { ecmaVersion: 'latest', sourceType: 'module', extraFileExtensions: ['.json'] };
const languageOptions = { parser: tsParser, parserOptions };

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', '**/*.test.ts', 'eslint.config.mjs', 'gulpfile.js', 'jest*.js', 'index.js'] },
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: ['package.json', 'nodes/**/*.ts', 'credentials/**/*.ts'], languageOptions },
	{
		files: ['package.json'],
		languageOptions,
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions,
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The docs live in the package's README on GitHub, not on docs.n8n.io.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions,
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two older rules want the 'main' string; the community scanner's
			// node-connection-type-literal rule wants NodeConnectionTypes.Main. The scanner wins.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];
