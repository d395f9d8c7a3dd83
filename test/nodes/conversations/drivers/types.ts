/**
 * A channel's conversation driver: its emulator driven as the channel's customers use it, for the
 * conversation tests (../setup.ts) and the e2e suites. One file per channel,
 * test/nodes/conversations/drivers/<channel>.ts, exporting `driver` (./index.ts loads it by the
 * channel's name). The tests never branch on a channel's name: what differs between channels is
 * a capability the driver declares here (or the adapter's own, e.g. `actions.editText`,
 * `conversation.files`), so a new channel adds one driver file and edits no test.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject } from 'n8n-workflow';

import type { WorkflowJson } from '../../../harness';
import type { FaultProxy } from '../setup';

/** A customer of one channel. `part` is the conversation part of the chat key. */
export interface Customer {
	first: string;
	last: string;
	name: string;
	/** The conversation id the Chat Channel node takes (Telegram chat id, whatsapp:+…, PSID). */
	conversationId: string;
	part: string;
}

/** What a customer writes. */
export interface Outgoing {
	text?: string;
	/** The text's formatting as the channel sends it beside the text (Telegram's entities). */
	entities?: IDataObject[];
	/** The channel message id the customer answers. */
	replyTo?: string;
	photo?: Buffer;
	document?: { bytes: Buffer; name: string; mimeType: string };
}

/** What reached the customer, in the channel's terms made comparable. */
export interface Received {
	id: string;
	/** The text or caption as the customer sees it. */
	text: string;
	/** What the bridge sent (Telegram: the HTML source; others: the text). */
	source: string;
	/** The channel message id this one answers, on channels with `replies`. */
	replyTo?: string;
	/** sha256 of an uploaded file, or the link a channel fetches files from. */
	fileSha256?: string;
	fileUrl?: string;
	deleted?: boolean;
	edited?: boolean;
}

/** A shared place: a venue's name and address at a point. */
export interface Place {
	latitude: number;
	longitude: number;
	title: string;
	address: string;
}

/** A running channel: its emulator, driven as its customers would. */
export interface Driver {
	/** The bot / number / page the customers write to (the trigger items' `account`). */
	readonly account: string;
	/** The emulator's base URL, as the credentials name it (the fault proxy goes in front of it). */
	readonly url: string;
	/** The emulator itself, for a channel's own tests (each driver file exports a typed accessor). */
	readonly emulator: unknown;
	credentialTypes: ICredentialType[];
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Turns the example's customer trigger into what runs here (Telegram: webhook mode). */
	adapt(workflow: WorkflowJson): void;
	newCustomer(first: string, last: string): Customer;
	/** The customer writes; resolves with the channel message id and a way to deliver it again. */
	write(
		url: string,
		customer: Customer,
		message: Outgoing,
	): Promise<{ id: string; again: () => Promise<void> }>;
	/** The customer edits a message (channels with `customerEdits`). */
	edit?(url: string, customer: Customer, id: string, text: string): Promise<void>;
	/** The customer shares a place (a location with a venue's name and address); not on channels with `locations: false`. */
	shareLocation?(url: string, customer: Customer, place: Place): Promise<void>;
	/** Resolves when everything the channel pushed has been answered. */
	delivered(): Promise<void>;
	received(customer: Customer): Received[];
	/** How many requests the channel's API has had. */
	requests(): number;
	/**
	 * How many edit / delete requests the channel's API has had (channels whose adapter has
	 * `editText` / `deleteMessage`).
	 */
	calls?(kind: 'edit' | 'delete'): number;
	/**
	 * The channel's send fails with `status` (503, or 429 asking to wait a second) until the
	 * returned function is called: through the emulator, or through `proxy` (the fault proxy in
	 * front of it) with the channel's own error shape.
	 */
	sendOutage(status: 503 | 429, proxy: FaultProxy): Promise<() => Promise<void>>;
	/** The next send is answered 500 after the channel took the message. */
	failNextSendAfterAccepting(): void;
	/**
	 * The next sends are refused the way this channel refuses a customer who cannot be written to
	 * (blocked the bot, the 24-hour window closed): what the operator's notice then says is the
	 * driver's `refusal`. Absent on a channel that never refuses a customer (no `refusal`).
	 */
	refuseSends?(): void;
	/**
	 * Whether a send request (`ChannelDriver.sendPath`) goes to `customer`; absent: its body names
	 * the customer (`part`, without a leading +).
	 */
	sentTo?(request: { path: string; body: string }, customer: Customer): boolean;
	/**
	 * Channels with a longer window for a person's answers than for automated ones
	 * (`refusal.person`: Meta's HUMAN_AGENT tag, 7 days against 24 hours): the customer's last
	 * message is now past the automated window, within the person's (`refuseSends`: past both).
	 */
	closeAutomatedWindow?(): void;
	/** `refusal.person`: the app no longer has the platform's permission for a person's late answers. */
	withoutPersonPermission?(): void;
	/**
	 * e2e (`ChannelDriver.e2e`): `customer` writes to the trigger at `url` in a delivery the
	 * platform did not make (a wrong signature / secret token); resolves with the HTTP status n8n
	 * answered (the trigger refuses it: 401 or 403).
	 */
	forge?(url: string, customer: Customer): Promise<number>;
	stop(): Promise<void>;
}

/** How a channel shows formatting, as the formatting tests check it. */
export interface Formatting {
	/**
	 * A formatted customer message, what the operator sees of it (../setup.ts `shown`), and whether
	 * it reaches TeamSpirit as markdown (a channel without formatting: whatever looks like markup
	 * stays text).
	 */
	customer: { message: Outgoing | string; shown: string; markdown: boolean };
	/**
	 * The operator's markdown `**Order** _4711_ costs 2\*3 — see [the page](https://example.com/a_b)
	 * and `code_x` 👍🏽` as the customer receives it (`text`), and, for a channel that sends markup
	 * (`source`), the source with `strip` removed, and what bold / italic look like there.
	 */
	operator: {
		text: string;
		source?: {
			stripped: string;
			strip: RegExp;
			bold: (word: string) => RegExp;
			italic: (word: string) => RegExp;
		};
	};
	/** The customer's `text` with its first `length` characters bold; absent: no formatting. */
	boldStart?(text: string, length: number): Outgoing | string;
}

/** What a channel's conversation tests need: its capabilities, and `start`. */
export interface ChannelDriver {
	/** The channel (its adapter's `name`). */
	name: string;
	/** How the bridge titles the channel's chats ("Telegram" in "Telegram · Anna Petrova"). */
	title: string;
	/** The path of the channel's "send a text message" request (a POST), as it reaches its API. */
	sendPath: RegExp;
	/** A customer can edit a message they sent (and `Driver.edit` does it). */
	customerEdits: boolean;
	/** The channel keeps a customer's file's name (a document arrives with it). */
	customerFileNames: boolean;
	/** An operator's TeamSpirit reply reaches the customer as a channel reply (`Received.replyTo`). */
	replies: boolean;
	/**
	 * The channel's send carries an idempotency key the platform honours (VK's `random_id`): a send
	 * whose answer was lost, or answered 500 after the platform took it, is sent again by the node
	 * and the platform answers the message it already has. Such a message reaches the customer once
	 * and is recorded as delivered, with no "may not have arrived" notice. Absent: false.
	 */
	idempotentSends?: boolean;
	formatting: Formatting;
	/** `false`: the channel's customers cannot share a location (Instagram); absent: they can. */
	locations?: false;
	/**
	 * `false`: the channel does not say which message a customer's message answers (Viber's
	 * callbacks have no reply reference); absent: it does (`Outgoing.replyTo`).
	 */
	customerReplies?: false;
	/**
	 * The longest name (UTF-16 code units) the channel takes from a customer: a longer one is
	 * refused before any message (Website Chat's contact form: 200, answered 400 with a reason
	 * the widget shows). Absent: the platform gives any name.
	 */
	maxNameLength?: number;
	/** `false`: a customer's document carries no caption (a Viber file message has no text); absent: it can. */
	documentCaptions?: false;
	/**
	 * What the operator's notice says when the channel refused a send (`Driver.refuseSends`).
	 * Absent: the channel never refuses a customer (Website Chat: a visitor cannot block the
	 * company, and no window closes).
	 */
	refusal?: {
		notice: RegExp;
		hint?: RegExp;
		/**
		 * A person may answer longer than automation may (Driver.closeAutomatedWindow): what the
		 * operator's notice says when the app lacks the platform's permission for that.
		 */
		person?: { permission: RegExp };
	};
	/**
	 * The channel runs in test/e2e/channels.e2e.test.ts, a real n8n: `start()` with no options gives
	 * an emulator n8n can use, `credentials` are what n8n stores (created through its REST API for
	 * the credential types the example names), `adapt` makes the example run against the emulator,
	 * `write(url, …)` / `again()` reach the published trigger's production URL `url` (or the
	 * emulator delivers to where the trigger registered itself, and `delivered()` waits for it), and
	 * the `Driver` has `forge`.
	 */
	e2e?: true;
	/** Starts the emulator. `options`: the emulator's own options, for a channel's own tests. */
	start(options?: IDataObject): Promise<Driver>;
}
