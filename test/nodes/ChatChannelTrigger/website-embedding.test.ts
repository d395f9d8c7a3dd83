/**
 * widget.js opened in a browser tab: a page with the tag to copy, written with the trigger's own
 * Production URL (n8n's WEBHOOK_URL, not the request's host), escaped, without script; loaded by
 * a `<script>` (or curl), the JavaScript as before, with its ETag and 304.
 */
import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { WIDGET_SCRIPT } from '../../../nodes/channels/website/widget/assets';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';
import { SESSION_SECRET, websiteWorkflow } from './website-setup';

/** What Chrome sends when a tab opens the URL. */
const NAVIGATION = {
	accept:
		'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
	'sec-fetch-dest': 'document',
	'sec-fetch-mode': 'navigate',
	'sec-fetch-site': 'none',
	'upgrade-insecure-requests': '1',
};
/** What Chrome sends for `<script src="…/widget.js" async>` on a company's page. */
const SCRIPT_LOAD = {
	accept: '*/*',
	'sec-fetch-dest': 'script',
	'sec-fetch-mode': 'no-cors',
	'sec-fetch-site': 'cross-site',
	referer: 'https://shop.example.com/',
};

const hooks: WebhookTrigger[] = [];
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
});

async function widgetScript(options: { baseUrl?: string; url?: 'production' | 'test' } = {}) {
	const hook = await startWebhookTrigger({
		workflow: websiteWorkflow() as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritWebsiteApi()],
		credentials: {
			teamSpiritWebsiteApi: {
				serverUrl: 'http://127.0.0.1:9',
				apiKey: 'ts_secret_api_key',
				sessionSecret: SESSION_SECRET,
			},
		},
		webhookName: 'widgetScript' as never,
		...options,
	});
	hooks.push(hook);
	return hook;
}

const unescape = (html: string) =>
	html.replace(
		/&(lt|gt|quot|#39|amp);/g,
		(_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name]!,
	);
const textareaOf = (html: string) =>
	unescape(/<textarea[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? '');

describe('Website: widget.js opened in a browser tab shows the tag to copy', () => {
	it('answers a navigation with a page holding the tag with the Production URL, escaped, and no script', async () => {
		const hook = await widgetScript({ baseUrl: 'https://automation.example.com/n8n' });
		const url =
			'https://automation.example.com/n8n/webhook/3f6c1b7e-2a44-4d0b-9c1e-5a6b7c8d9e0f/widget.js';
		expect(hook.url).toBe(url);
		// behind a proxy n8n sees its own address inside: the page still gives the one sites reach
		const page = await hook.request({
			method: 'GET',
			headers: { ...NAVIGATION, host: '10.0.0.7:5678' },
		});
		const { status, headers, body } = page.response;
		expect([status, page.started]).toEqual([200, false]);
		expect(headers['content-type']).toBe('text/html; charset=utf-8');
		expect(headers.vary).toMatch(/Sec-Fetch-Dest/);
		expect(headers.vary).toMatch(/Accept/);
		expect(headers['cache-control']).toBe('no-store');
		expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
		expect(headers['content-security-policy']).not.toMatch(/script-src/);
		expect(textareaOf(body)).toBe(`<script src="${url}" async></script>`);
		expect(body).toContain(`&lt;script src=&quot;${url}&quot; async&gt;&lt;/script&gt;`);
		expect(body).not.toMatch(/<script/i);
		expect(body).toContain('Allowed Origins');
		expect(body).toContain('Production URL');
		expect(body).not.toContain(SESSION_SECRET);
		expect(body).not.toContain('ts_secret_api_key');
	});

	it('gives the Production URL also when opened at the test URL', async () => {
		const hook = await widgetScript({ url: 'test' });
		expect(hook.url).toMatch(/\/webhook-test\//);
		const page = await hook.request({ method: 'GET', headers: NAVIGATION });
		expect(textareaOf(page.response.body)).toBe(`<script src="${hook.otherUrl}" async></script>`);
	});

	it('escapes what the URL holds', async () => {
		const hook = await widgetScript({ baseUrl: 'https://example.com/a&b<i>"' });
		const page = await hook.request({ method: 'GET', headers: NAVIGATION });
		expect(page.response.body).toContain('https://example.com/a&amp;b&lt;i&gt;&quot;/webhook/');
		expect(page.response.body).not.toMatch(/<i>/);
	});

	it('answers a page to a browser without Sec-Fetch headers whose Accept prefers text/html', async () => {
		const hook = await widgetScript();
		const page = await hook.request({
			method: 'GET',
			headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
		});
		expect(page.response.headers['content-type']).toMatch(/^text\/html/);
	});

	it.each([
		['a <script> load', SCRIPT_LOAD],
		['a <script> load that also accepts text/html', { ...SCRIPT_LOAD, accept: 'text/html,*/*' }],
		['curl', { accept: '*/*' }],
		['a request without headers', {}],
		['fetch()', { accept: '*/*', 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' }],
	])(
		'serves the JavaScript to %s, with its ETag and 304',
		async (_, headers: Record<string, string>) => {
			const hook = await widgetScript();
			const script = await hook.request({ method: 'GET', headers });
			expect(script.response.status).toBe(200);
			expect(script.response.headers['content-type']).toBe('text/javascript; charset=utf-8');
			expect(script.response.body).toBe(WIDGET_SCRIPT);
			expect(script.response.headers.vary).toMatch(/Sec-Fetch-Dest/);
			const etag = script.response.headers.etag;
			const again = await hook.request({
				method: 'GET',
				headers: { ...headers, 'if-none-match': etag },
			});
			expect([again.response.status, again.response.body]).toEqual([304, '']);
		},
	);
});
