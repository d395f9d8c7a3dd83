/**
 * The WhatsApp Cloud API emulator's own rules, where it has logic of its own (docs/channel-apis.md,
 * "WhatsApp Cloud API"): media URLs need the token and expire, the 24-hour window and unreachable
 * numbers fail by status (or at once), interactive messages keep Meta's limits.
 */
import { WhatsAppCloudEmulator } from './whatsappcloud';

let wa: WhatsAppCloudEmulator;
afterEach(async () => await wa?.stop());

const api = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) =>
	fetch(`${wa.url}/v23.0${path}`, {
		method: init.method ?? (init.body ? 'POST' : 'GET'),
		headers: {
			...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? wa.accessToken}` }),
			...(init.body ? { 'content-type': 'application/json' } : {}),
		},
		body: init.body ? JSON.stringify(init.body) : undefined,
	});

describe('WhatsAppCloudEmulator', () => {
	it('serves a media file only with the token, and not after its URL expired (5 minutes)', async () => {
		wa = await WhatsAppCloudEmulator.start();
		const id = wa.addMedia(Buffer.from('%PDF-1.7 hello'), 'application/pdf', { filename: 'a.pdf' });
		const info = (await (await api(`/${id}`)).json()) as { url: string; mime_type: string; file_size: number };
		expect(info).toMatchObject({ mime_type: 'application/pdf', file_size: 14 });
		expect((await fetch(info.url)).status).toBe(401);
		const ok = await fetch(info.url, { headers: { authorization: `Bearer ${wa.accessToken}` } });
		expect([ok.status, await ok.text()]).toEqual([200, '%PDF-1.7 hello']);
		wa.advanceTime(5 * 60 * 1000 + 1);
		expect((await fetch(info.url, { headers: { authorization: `Bearer ${wa.accessToken}` } })).status).toBe(404);
		expect((await api(`/${id}`, { token: 'wrong' })).status).toBe(401);
	});

	it('accepts a late free-form message and fails it by status (131047), or at once with windowErrors "sync"; templates pass', async () => {
		wa = await WhatsAppCloudEmulator.start();
		const text = { messaging_product: 'whatsapp', to: '4915112345678', type: 'text', text: { body: 'late' } };
		expect((await api(`/${wa.phoneNumberId}/messages`, { body: text })).status).toBe(200);
		const template = { messaging_product: 'whatsapp', to: '4915112345678', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } };
		expect((await api(`/${wa.phoneNumberId}/messages`, { body: template })).status).toBe(200);
		expect(wa.statuses.map((s) => [s.status.status, s.status.errors?.[0]?.code])).toEqual([['failed', 131047], ['sent', undefined], ['delivered', undefined]]);
		await wa.stop();
		wa = await WhatsAppCloudEmulator.start({ windowErrors: 'sync' });
		const refused = await api(`/${wa.phoneNumberId}/messages`, { body: text });
		expect(refused.status).toBe(400);
		expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(131047);
		expect(wa.messages).toEqual([]);
	});

	it('keeps Meta\'s limits of interactive messages: 1 to 3 reply buttons, titles of 20, at most 10 list rows', async () => {
		wa = await WhatsAppCloudEmulator.start();
		wa.touch('4915112345678');
		const send = async (interactive: unknown) =>
			(await api(`/${wa.phoneNumberId}/messages`, { body: { messaging_product: 'whatsapp', to: '4915112345678', type: 'interactive', interactive } })).status;
		const buttons = (n: number, title = 'Option') => ({ type: 'button', body: { text: 'Pick' }, action: { buttons: Array.from({ length: n }, (_, i) => ({ type: 'reply', reply: { id: `o${i}`, title: `${title} ${i}` } })) } });
		const rows = (n: number) => ({ type: 'list', body: { text: 'Pick' }, action: { button: 'Choose', sections: [{ rows: Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })) }] } });
		expect([await send(buttons(3)), await send(buttons(4)), await send(buttons(1, 'x'.repeat(21)))]).toEqual([200, 400, 400]);
		expect([await send(rows(10)), await send(rows(11))]).toEqual([200, 400]);
	});
});
