/**
 * The channel layer shared by the Chat Channel and Chat Channel Trigger nodes: one message shape
 * for every channel, and one adapter interface each channel implements, one folder per channel
 * (nodes/channels/telegram/, whatsapp/ (through Twilio), messenger/, website/), registered in
 * ./index.ts.
 *
 * A node asks the adapter of the chosen channel; it never branches on the channel name itself.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { UploadSource } from '../shared/binary';
import type { ReceiveAdapter } from './receive';

/**
 * A channel's name: its key in the registry (./index.ts `adapters`) and its folder's name. Any
 * string, so that adding a channel changes no file outside its folder but the registry's line.
 */
export type ChannelName = string;

/** What happened. Channels add their own values (e.g. Telegram `channel_post`). */
export type ChannelEvent =
	| 'message'
	| 'edited_message'
	| 'callback'
	| 'status'
	| 'channel_post'
	| 'edited_channel_post'
	/** The customer took a message back (unsent it): `messageId` is that message, `text` empty. */
	| 'deleted_message'
	/** The customer reacted to a message: `messageId` is that message, `text` the emoji ('' when the reaction was taken back). */
	| 'reaction'
	| 'other';

export type AttachmentType =
	| 'photo'
	| 'document'
	| 'audio'
	| 'voice'
	| 'video'
	| 'video_note'
	| 'animation'
	| 'sticker'
	| 'location'
	| 'contact'
	| 'other';

export interface ChannelAttachment {
	type: AttachmentType;
	fileName: string | null;
	mimeType: string | null;
	size: number | null;
	/** The channel's own id of the file (Telegram `file_id`; a media URL for Twilio). */
	fileId?: string;
	/** A sticker's emoji, when the channel gives one (Telegram). */
	emoji?: string;
	/** Set when the trigger downloaded the file into this binary property of the item. */
	binaryProperty?: string;
	/** Why the file was not downloaded (too large, download failed), when it was asked for. */
	notice?: string;
}

export interface ChannelSender {
	id: string;
	name: string;
	username?: string;
	phone?: string;
	/** The e-mail address the customer gave (Website: the widget's contact form). */
	email?: string;
	isBot?: boolean;
}

export type ConversationType = 'private' | 'group' | 'channel';

/**
 * A span of formatted text, channel-neutral: offsets and lengths in UTF-16 code units of `text`
 * (as JavaScript counts), the kinds the channels share. `link` has its `url`, `pre` may have its
 * `language`. Filled by channels whose formatting is not in the text itself (Telegram's entities);
 * WhatsApp's `*bold*` stays in `text`.
 */
export interface TextSpan {
	type:
		| 'bold'
		| 'italic'
		| 'underline'
		| 'strikethrough'
		| 'spoiler'
		| 'code'
		| 'pre'
		| 'link'
		| 'blockquote';
	offset: number;
	length: number;
	url?: string;
	language?: string;
}

/** A location the customer shared. */
export interface ChannelLocation {
	latitude: number;
	longitude: number;
	/** A venue's or a pin's name, as the customer's app gave it. */
	name?: string;
	address?: string;
	/** A map of the place (./location.ts `mapLink`). */
	mapUrl: string;
}

/** A contact card the customer shared (Telegram's contact). */
export interface ChannelContact {
	name: string;
	phone?: string;
	/** The contact's own id on the channel, when the channel knows it. */
	userId?: string;
}

/** The item every channel trigger emits (docs/chat-channels.md). */
export interface ChannelMessage {
	channel: ChannelName;
	/**
	 * The bot / number / page the customer wrote to (Telegram: the bot id; WhatsApp: the business
	 * number, E.164; Messenger: the page id). Every trigger item has it (docs/conversations.md).
	 */
	account?: string;
	event: ChannelEvent;
	/** Unique per delivery: the dedupe key (Telegram: `telegram:<bot id>:<update_id>`). */
	eventId: string;
	messageId: string | null;
	/** Where a reply goes: the Chat Channel node's default `Conversation`. */
	conversationId: string;
	sender: ChannelSender;
	text: string;
	attachments: ChannelAttachment[];
	/** The attachments in a few words ("photo image/png received"), or "" (./summary.ts). */
	attachmentsText?: string;
	/** The text and the attachments in one line, for replies and notices (./summary.ts). */
	summary?: string;
	/** The message this one answers (the customer's "reply"), when it does. */
	replyToMessageId?: string;
	/**
	 * The formatting of `text`, when the channel sends it beside the text (./types.ts TextSpan).
	 * With `location` and `contact` this is everything the conversation bridge reads: nothing
	 * outside a channel's own folder reads `raw`. An edit is `event: "edited_message"` (or
	 * `"edited_channel_post"`) with `messageId` the edited message.
	 */
	formatting?: TextSpan[];
	location?: ChannelLocation;
	contact?: ChannelContact;
	/** ISO 8601. */
	timestamp: string;
	/** Callback button data (`event: "callback"`). */
	callbackData?: string;
	/** Id to answer a callback with (Telegram `callback_query.id`). */
	callbackId?: string;
	/**
	 * What kind of conversation it is, on channels that have more than one kind (Telegram):
	 * `private` (one person and the bot), `group` (a group or supergroup: several people),
	 * `channel` (a broadcast channel). Absent on one-to-one channels (WhatsApp, Messenger).
	 */
	conversationType?: ConversationType;
	/** A group's or channel's title, as the channel shows it (absent for a private chat). */
	conversationTitle?: string;
	/**
	 * The channel's payload as received: for the workflow's own use. Only the channel's adapter
	 * reads it; everything the package needs is in the fields above.
	 */
	raw: IDataObject;
	/** For `event: "status"`: the delivery state (`queued`, `sent`, `delivered`, `read`, `failed`, …). */
	status?: string;
	/** For a failed status: the channel's error code (Twilio `ErrorCode`) and what it means. */
	errorCode?: string;
	error?: string;
	/** Messenger delivery/read receipts: the messages they cover, and the watermark (ISO 8601). */
	messageIds?: string[];
	watermark?: string;
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------

export type TextFormat = 'plain' | 'html' | 'markdownV2' | 'markdownV2Raw';

export interface InlineButton {
	text: string;
	/** Exactly one of url / callbackData. */
	url?: string;
	callbackData?: string;
}

export interface SendTextRequest {
	conversationId: string;
	text: string;
	format: TextFormat;
	replyToMessageId?: string;
	/** Rows of buttons under the (last part of the) message. */
	buttons?: InlineButton[][];
	disableLinkPreview?: boolean;
	silent?: boolean;
}

/** A pre-approved message template (WhatsApp through Twilio: a Content Template `HX…`). */
export interface SendTemplateRequest {
	conversationId: string;
	templateId: string;
	variables: Record<string, string>;
}

export type FileKind = 'auto' | 'photo' | 'document' | 'audio' | 'video' | 'voice';

export interface SendFileRequest {
	conversationId: string;
	kind: FileKind;
	/** One of: a binary property's content, a public URL, a channel file id. */
	source:
		| { type: 'binary'; upload: UploadSource }
		| { type: 'url'; url: string }
		| { type: 'fileId'; fileId: string };
	caption?: string;
	format: TextFormat;
	replyToMessageId?: string;
	buttons?: InlineButton[][];
	silent?: boolean;
}

/** One message the channel accepted. */
export interface SentMessage {
	messageId: string;
	conversationId: string;
	timestamp: string;
	raw: IDataObject;
}

export interface SendResult extends IDataObject {
	channel: ChannelName;
	conversationId: string;
	/** The first (or only) message; replies and edits refer to it. */
	messageId: string;
	/** Every message sent, in order (a long text is split into several). */
	messageIds: string[];
	parts: number;
}

/** Per-item call context: what the adapter needs for pacing and for not sending twice. */
export interface SendContext {
	ctx: IExecuteFunctions;
	itemIndex: number;
	/**
	 * Stable for this item across n8n's "Retry On Fail" re-runs of the node, and for an item that
	 * carries its trigger event across executions of that event: parts the channel already
	 * accepted under this key are not sent again (a channel's idempotency key is derived from it).
	 */
	acceptKey: string;
	/**
	 * The account to send from when it is not the node's own setting: a customer conversation
	 * answers from the bot / number / page the customer wrote to (the trigger item's `account`).
	 */
	account?: string;
	/**
	 * A person wrote this (an operator's message sent by the conversation bridge's Send to
	 * Customer), not an automation: a platform with a longer window for answers written by people
	 * than for automated messages may use it (the adapter decides; absent means not known).
	 */
	byPerson?: boolean;
}

export interface ChannelActions {
	sendText(call: SendContext, request: SendTextRequest): Promise<SendResult>;
	sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult>;
	/* Optional: a channel that cannot do one leaves it out, and the editor does not offer it. */
	editText?(
		call: SendContext,
		request: {
			conversationId: string;
			messageId: string;
			text: string;
			format: TextFormat;
			buttons?: InlineButton[][];
		},
	): Promise<IDataObject>;
	deleteMessage?(
		call: SendContext,
		request: { conversationId: string; messageId: string },
	): Promise<IDataObject>;
	sendAction?(
		call: SendContext,
		request: { conversationId: string; action: string },
	): Promise<IDataObject>;
	/** Reacts to a message of the conversation with an emoji; an empty emoji takes the reaction back. */
	sendReaction?(
		call: SendContext,
		request: { conversationId: string; messageId: string; emoji: string },
	): Promise<IDataObject>;
	sendTemplate?(call: SendContext, request: SendTemplateRequest): Promise<SendResult>;
	answerCallback?(
		call: SendContext,
		request: { callbackId: string; text?: string; showAlert?: boolean },
	): Promise<IDataObject>;
}

/**
 * A question the customer answers through signed links (Send and Wait for Response): each link
 * records one answer (`answers`: Approve / Decline), or opens the form page (`form`: Free Text and
 * Custom Form, one "Respond" link).
 */
export interface WaitQuestion {
	/** The message, plain text. */
	text: string;
	kind: 'answers' | 'form';
	/** What the customer may pick, in order: the button's (or line's) label and its signed link. */
	links: Array<{ label: string; url: string }>;
}

/** A question as this channel sends it: a text with buttons (Send Text's request). */
export interface WaitPrompt {
	text: string;
	buttons?: InlineButton[][];
}

/** The actions a channel may lack. */
export type OptionalAction =
	'editText' | 'deleteMessage' | 'sendAction' | 'sendReaction' | 'sendTemplate' | 'answerCallback';

// ---------------------------------------------------------------------------
// Receiving
// ---------------------------------------------------------------------------

/**
 * A URL of its own that a channel's trigger serves besides its delivery webhook (the Website
 * channel: the widget's script and its API). The registry makes each one a webhook of the Chat
 * Channel Trigger (`<n8n>/webhook/<webhookId>/<path>`), listening only when the channel is chosen;
 * the trigger's `webhook()` hands the request to `handle` by the webhook's name.
 */
export interface TriggerEndpoint {
	/** The webhook's name: unique within the channel, never `default` or `setup`. */
	name: string;
	httpMethod: 'GET' | 'POST';
	/** The path after the webhook id, e.g. `widget.js`. */
	path: string;
	handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData>;
}

export interface TriggerAdapter {
	/** Long polling (`trigger()`), where the channel has it; Telegram does. */
	poll?(ctx: ITriggerFunctions): Promise<ITriggerResponse>;
	/** Webhook registration with the channel. */
	checkExists(ctx: IHookFunctions): Promise<boolean>;
	create(ctx: IHookFunctions): Promise<boolean>;
	delete(ctx: IHookFunctions): Promise<boolean>;
	/**
	 * A delivery's steps that differ per channel (./receive.ts runs them). With `handshake`, the
	 * channel verifies a webhook URL with a GET before it delivers (Meta's subscription handshake):
	 * the trigger then also listens for GET on its URL (webhook "setup").
	 */
	receive: ReceiveAdapter<unknown, unknown>;
	/**
	 * URLs the trigger serves for this channel besides deliveries. A channel with endpoints
	 * receives through them: the trigger's delivery webhook is not registered for it.
	 */
	endpoints?: TriggerEndpoint[];
}

/**
 * What the customer-conversation bridge (nodes/conversations/) needs of a channel: how its text
 * becomes TeamSpirit markdown and back, how files reach the customer, and which account a
 * credential speaks for.
 */
export interface ConversationRules {
	/**
	 * A customer's message as TeamSpirit markdown: the channel's formatting kept, the rest literal,
	 * mentioning no one (`quietMentions` of nodes/shared/markdown/write.ts).
	 */
	toMarkdown(message: ChannelMessage): string;
	/**
	 * What is neither text nor a file (a location, a contact card), one note per line, or []. The
	 * customer's strings stay in `values`: the bridge shows them literally (nodes/conversations/
	 * untrusted.ts), so no adapter writes markdown from them.
	 */
	describe(message: ChannelMessage): ConversationNote[];
	/** An operator's TeamSpirit markdown as this channel's text. */
	fromMarkdown(markdown: string): { text: string; format: TextFormat };
	/**
	 * How an operator's file reaches the customer: `upload` (the node streams it to the channel)
	 * or `link` (the channel fetches it from a short-lived TeamSpirit link).
	 */
	files: 'upload' | 'link';
	/**
	 * The account the node's credential speaks for (Telegram: the bot id), so a conversation of
	 * another bot is left alone; undefined when one credential serves several accounts.
	 */
	account(ctx: IExecuteFunctions, itemIndex: number): Promise<string | undefined>;
	/** The conversation part of a conversation key, from a conversation ID (no channel prefix). */
	keyPart(conversationId: string): string;
	/**
	 * The channel has group conversations (several people in one chat, `conversationType` on its
	 * items): the bridge then forwards them only when asked to (its *Group Chats* option).
	 */
	groups: boolean;
}

/**
 * A line about something that is neither text nor a file, as the operator reads it:
 * `label`, then the customer's `values` (shown literally, joined by commas), then `: link`.
 * E.g. `{ label: '📍', values: ['Café Central', 'Herrengasse 14'], link: 'https://…' }`.
 */
export interface ConversationNote {
	/** The bridge's own words (an icon, "Contact:"): markdown, never the customer's. */
	label: string;
	/** The customer's strings (a venue's name, a contact's name and number). */
	values: string[];
	/** A link the adapter made (a map of a location): https, no spaces. */
	link?: string;
}

export interface ChannelAdapter {
	name: ChannelName;
	displayName: string;
	/** One line under the channel's name in the Channel picker. */
	description: string;
	credentialType: string;
	actions: ChannelActions;
	trigger: TriggerAdapter;
	/** The most characters one text message may have. */
	maxTextLength: number;
	maxCaptionLength: number;
	/**
	 * The text formats the editor offers for this channel, each with what it does here; absent:
	 * plain text only. Sending still takes every TextFormat, so a saved workflow keeps working.
	 */
	textFormats?: Partial<Record<TextFormat, string>>;
	/**
	 * How this channel shows the Inline Buttons field's buttons (the field's description here);
	 * absent: the channel has no buttons, and the editor does not offer the field.
	 */
	buttons?: string;
	/**
	 * How a conversation ID of this channel looks: returns it normalized (e.g. `+4915…` →
	 * `whatsapp:+4915…`), or undefined when it is not one.
	 */
	conversationId: { normalize(value: string): string | undefined; description: string };
	/** How a message ID of this channel looks. */
	messageId: {
		pattern: RegExp;
		description: string;
		/**
		 * The channel's message ids are integers that grow within a conversation (Telegram): the
		 * bridge then marks a customer's message that reaches TeamSpirit after a later one of theirs
		 * (queue mode). Absent: ids say nothing about order.
		 */
		growing?: boolean;
	};
	/** How a template ID looks, for a channel with templates. */
	templateId?: { pattern: RegExp; description: string };
	/**
	 * When the channel sends a delivery again that n8n did not confirm, in a few words for the
	 * trigger's Acknowledge option ("Meta for up to 36 hours"); absent: it is not said there.
	 */
	redelivery?: string;
	/** Why an optional action is missing on this channel (shown when a workflow asks for it anyway). */
	unavailable?: Partial<Record<OptionalAction, string>>;
	/**
	 * How a Send and Wait question looks on this channel (buttons where it has link buttons, a
	 * relayed quick reply, …); absent: the links as lines of the text (./waiting.ts `linksInText`).
	 */
	waitPrompt?(question: WaitQuestion): WaitPrompt;
	/** The customer-conversation bridge's rules for this channel. */
	conversation: ConversationRules;
	/** The channel's own fields in the Chat Channel node (shown only for this channel). */
	sendProperties?: INodeProperties[];
	/** The channel's fields in the Chat Channel Trigger (shown only for this channel). */
	triggerProperties?: INodeProperties[];
}

export type ChannelItem = INodeExecutionData & { json: ChannelMessage & IDataObject };

export type ChannelFields = INodeProperties[];
