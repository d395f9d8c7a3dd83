/** The conformance kit of Telegram (Bot API): test/emulators/telegram.ts; webhook mode, the secret token in a header. */
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { TelegramEmulator } from '../../emulators/telegram';
import type { WebhookTrigger } from '../../harness';

import { kit as channelKit, uploaded, type Delivery } from './kit';

/** A Telegram webhook request: the update's bytes with the secret token Telegram was given (or a wrong one, or none). */
async function telegramPost(tg: TelegramEmulator, hook: WebhookTrigger, body: string, signature?: Delivery['signature']): Promise<number> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (signature !== 'missing') headers['x-telegram-bot-api-secret-token'] = signature === 'forged' ? 'wrong-secret-token' : tg.webhook!.secretToken!;
	return (await hook.request({ headers, body })).response.status;
}

export const kit = channelKit<TelegramEmulator>({
	name: 'telegram',
	emulator: TelegramEmulator,
	credentialType: new TeamSpiritTelegramApi(),
	credentials: (tg) => ({ accessToken: tg.token, baseUrl: tg.url }),
	fixture: 'message.send-long',
	conversations: () => ['1001', '1002', '1003'],
	sent: (tg, chat) => tg.sentMessages(chat).map((m) => ({ id: String(m.message_id), text: m.text ?? '' })),
	files: (tg, chat) =>
		tg
			.sentMessages(chat)
			.filter((m) => m.method !== 'sendMessage')
			.map((m) => {
				if (m.upload) return uploaded(m.upload);
				const field = m[m.method.replace(/^send/, '').toLowerCase()] as { file_id: string } | Array<{ file_id: string }>;
				return { url: tg.files.get(Array.isArray(field) ? field[0].file_id : field.file_id)?.url };
			}),
	sendStatuses: (tg) => tg.calls('sendMessage').map((r) => r.status),
	inject429: (tg) => tg.failNext({ method: 'sendMessage', status: 429, retryAfter: 1 }),
	triggerParameters: { mode: 'webhook', updates: ['message'] },
	downloadOptions: (options) => ({ options: { download: true, ...options } }),
	deliver: async (tg, hook, { key, signature, file, unreadable }) => {
		// a date Telegram never sends (year 3 million): no timestamp can be made of it
		const message: Record<string, unknown> = { message_id: key, date: unreadable ? 1e20 : 1_700_000_000, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'Ada' }, text: `hi ${key}` };
		if (file) {
			const stored = tg.addFile(file.bytes, { fileName: file.name, mimeType: 'application/pdf' });
			message.document = { file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_name: file.name, mime_type: 'application/pdf', file_size: file.bytes.length };
		}
		return await telegramPost(tg, hook, JSON.stringify({ update_id: 700_000 + key, message }), signature);
	},
	// bytes that are no JSON (n8n's body parser answers before the node), JSON that is no update
	malformed: async (tg, hook) => [await telegramPost(tg, hook, '{"update_id":'), await telegramPost(tg, hook, JSON.stringify({ ok: true, result: [] }))],
	malformedStatuses: [422, 400],
	// an update type the trigger does not read (a reaction)
	unknown: async (tg, hook, key) =>
		await telegramPost(
			tg,
			hook,
			JSON.stringify({
				update_id: 700_000 + key,
				message_reaction: { chat: { id: 42, type: 'private' }, message_id: 1, user: { id: 42, is_bot: false, first_name: 'Ada' }, date: 1_700_000_000, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] },
			}),
		),
	unreadableNotice: /^This event could not be read/,
});
