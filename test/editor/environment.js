/**
 * Jest environment of the editor smoke test: Node's, plus `__loadPuppeteer`. puppeteer-core 25 is
 * ES modules only; jest's module loader (and its createRequire) cannot load it, Node's own require
 * can (require(esm), Node >= 20.19). This file is loaded by Node, outside jest's sandbox.
 */
const { TestEnvironment } = require('jest-environment-node');

class EditorTestEnvironment extends TestEnvironment {
	constructor(config, context) {
		super(config, context);
		this.global.__loadPuppeteer = () => require('puppeteer-core');
	}
}

module.exports = EditorTestEnvironment;
