/**
 * Files in customer conversations, both ways, through the examples: a customer's photo and
 * document are uploaded to TeamSpirit and attached to the message (the caption as its text); an
 * operator's file reaches the customer (Telegram and Messenger: uploaded; WhatsApp: Twilio
 * fetches it from a short-lived public TeamSpirit link).
 */
import { createHash } from 'node:crypto';

import { adapterFor } from '../../../nodes/channels';
import { theDriver } from './drivers';
import { CHANNELS, PDF, PHOTO, shown, startBridge, type Bridge } from './setup';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

describe.each(CHANNELS)('Customer conversations (%s): files', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
	});

	const filesOf = (index: number) => {
		const message = bridge.messagesOf(anna)[index];
		return message.files.map((f) => ({
			mimeType: f.mimeType,
			sha256: sha256(bridge.ts.fileContent(f.id)),
		}));
	};
	let anna: ReturnType<Bridge['newCustomer']>;

	it('a photo and a document with captions: uploaded, attached, the caption as text; a document without caption shows the file', async () => {
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, { text: 'The cup arrived broken', photo: PHOTO });
		// a channel whose documents carry no caption: the document alone
		const captions = theDriver(channel).documentCaptions !== false;
		await bridge.write(anna, {
			...(captions ? { text: 'Here is the invoice' } : {}),
			document: { bytes: PDF, name: 'invoice.pdf', mimeType: 'application/pdf' },
		});
		await bridge.write(anna, {
			document: { bytes: PDF, name: 'invoice.pdf', mimeType: 'application/pdf' },
		});

		const messages = bridge.messagesOf(anna);
		expect(messages.map((m) => [shown(m.text), m.files.length])).toEqual([
			['The cup arrived broken', 1],
			[captions ? 'Here is the invoice' : '', 1],
			// the file is the message: no empty line, no placeholder text
			['', 1],
		]);
		expect(filesOf(0)).toEqual([{ mimeType: 'image/jpeg', sha256: sha256(PHOTO) }]);
		expect(filesOf(1)).toEqual([{ mimeType: 'application/pdf', sha256: sha256(PDF) }]);
		expect(filesOf(2)).toEqual([{ mimeType: 'application/pdf', sha256: sha256(PDF) }]);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual([
			'success',
			'success',
			'success',
		]);
		expect(bridge.received(anna)).toEqual([]);
	});

	it('an operator’s file (with text) reaches the customer; the operator message is mapped to the channel message', async () => {
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Can you send me the return label?');
		const label = bridge.operatorUploads('return-label.pdf', 'application/pdf', PDF);

		const posted = await bridge.operatorPosts(anna, {
			text: 'Here is your label',
			fileIds: [label.id],
		});

		const received = bridge.received(anna);
		expect(received.map((r) => r.text).filter(Boolean)).toEqual(['Here is your label']);
		const withFile = received.filter((r) => r.fileSha256 || r.fileUrl);
		expect(withFile).toHaveLength(1);
		if (adapterFor(channel)!.conversation.files === 'link') {
			// the channel fetches media itself (Twilio): a public TeamSpirit link that serves the bytes without the API key
			const url = withFile[0].fileUrl!;
			expect(url.startsWith(`${bridge.ts.url}/public/files/`)).toBe(true);
			expect(url).not.toContain(label.id);
			const response = await fetch(url);
			expect(response.status).toBe(200);
			expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(PDF));
		} else {
			// uploaded to the channel
			expect(withFile[0].fileSha256).toBe(sha256(PDF));
		}
		// the key names every channel message it became (text and file): a delete removes them all
		expect(posted.externalKey).toBe(`${bridge.keyOf(anna)}#${received.map((r) => r.id).join('&')}`);
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(['success']);
		// nothing else was posted in the chat (no notice)
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual([
			'Can you send me the return label?',
			'Here is your label',
		]);
	});

	it('an operator’s file without text arrives as the file alone', async () => {
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Photo of the label please');
		const photo = bridge.operatorUploads('label.jpg', 'image/jpeg', PHOTO);

		const posted = await bridge.operatorPosts(anna, { fileIds: [photo.id] });

		const received = bridge.received(anna);
		expect(received).toHaveLength(1);
		expect(received[0].fileSha256 ?? received[0].fileUrl).toBeTruthy();
		expect(received[0].text).toBe('');
		expect(posted.externalKey).toBe(`${bridge.keyOf(anna)}#${received[0].id}`);
	});
});
