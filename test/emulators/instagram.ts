/**
 * Instagram Direct through the Messenger Platform for Instagram: Meta's Graph API as
 * test/emulators/graph.ts emulates it for Messenger, with Instagram's differences (the
 * `platform: 'instagram'` option there): webhooks `object: "instagram"` whose entry id and
 * recipient are the Instagram professional account, customers as IGSIDs with `name` and
 * `username` (User Profile API), texts of at most 1000 bytes, HUMAN_AGENT the only tag, files
 * uploaded with `POST /{page-id}/message_attachments` (`platform=instagram`) and sent by
 * `attachment_id`, reactions and unsends as events, `react` / `unreact` sender actions, the
 * window refusal 10 / 2534022 and unknown recipients 100 / 2534014. Test code only.
 *
 *   const ig = await InstagramEmulator.start();
 *   const user = ig.addUser({ name: 'Ada Lovelace', username: 'ada' });
 *   await ig.deliver(webhookUrl, [ig.messageEvent(user.id, { text: 'hi' })]);
 */
import type { GraphEmulatorOptions, GraphSentMessage, RecordedUpload } from './graph';
import { GraphEmulator } from './graph';
import * as http from 'node:http';
import { listen } from './listen';

export class InstagramEmulator extends GraphEmulator {
	static override async start(options: GraphEmulatorOptions = {}): Promise<InstagramEmulator> {
		const server = http.createServer();
		await listen(server, options.port);
		return new InstagramEmulator(server, { ...options, platform: 'instagram' });
	}

	/** The package's Instagram credential (teamSpiritInstagramApi) for this emulator's page and account. */
	instagramCredentialData() {
		return { ...this.credentialData(), instagramAccountId: this.instagramAccountId };
	}

	/** The file behind a sent message's attachment_id (uploaded with the attachment upload API), if any. */
	uploadOf(message: GraphSentMessage): RecordedUpload | undefined {
		const id = message.attachment?.payload.attachment_id;
		return id === undefined ? undefined : this.savedAttachments.get(String(id))?.upload;
	}
}
