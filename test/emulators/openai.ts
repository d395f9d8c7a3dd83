/**
 * An in-process HTTP emulator of the parts of OpenAI's API that n8n's OpenAI Chat Model
 * (`@n8n/n8n-nodes-langchain.lmChatOpenAi`, through `@langchain/openai`) and its `openAiApi`
 * credential use. Test code only; Node built-ins only. The model's answers are scripted by the test.
 *
 *   const ai = await OpenAiEmulator.start();
 *   // credential openAiApi: apiKey = ai.apiKey, url (Base URL) = ai.baseUrl (…/v1)
 *   ai.script(
 *     { user: /a person/i, answer: { toolCalls: [{ name: /hand_?over/i, arguments: { reason: 'asked for a person' } }] } },
 *     { toolResultFrom: /hand_?over/i, answer: { text: 'An operator will answer you.' } },
 *     { answer: (c) => ({ text: `You said: ${c.lastUserText}` }) },
 *   );
 *   ai.calls      // every model call: messages, tools offered, the answer given (or none)
 *   ai.requests   // every HTTP request (method, path, status)
 *   await ai.stop();
 *
 * Endpoints (under `/v1`):
 * - `GET /models`, `GET /models/{id}`: the credential test (`GET {url}/models`) and the model list.
 * - `POST /chat/completions`: Chat Completions, JSON or SSE (`stream: true`, chunks of
 *   `chat.completion.chunk`, `stream_options.include_usage`, `data: [DONE]`). What the OpenAI Chat
 *   Model uses before version 1.3, or with *Use Responses API* off.
 * - `POST /responses`: the Responses API, JSON or SSE (`event: response.…` events, as the OpenAI
 *   SDK's stream reads them). The OpenAI Chat Model 1.3 (n8n 2.41's default version) has
 *   *Use Responses API* on by default (`responsesApiEnabled: true`), so this is what n8n calls.
 * A wrong or missing `Authorization: Bearer <apiKey>` gets OpenAI's 401.
 *
 * Scripting: `script(...rules)` appends rules; a model call gets the answer of the FIRST rule whose
 * conditions all hold (a rule without conditions matches everything: put it last). No rule → HTTP
 * 400 with a message naming the last user text (the agent fails loudly; `calls` records it).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { listen } from './listen';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type OpenAiApi = 'chat' | 'responses';

/** A tool call the model made (in an earlier assistant message) or makes (in an answer). */
export interface OpenAiToolCall {
	id: string;
	name: string;
	/** The arguments, parsed from their JSON text (`{}` when not valid JSON; see `rawArguments`). */
	arguments: Record<string, unknown>;
	rawArguments: string;
}

/** One message of the conversation, the same shape for both APIs. */
export interface OpenAiMessage {
	/** `developer` messages (what reasoning models get instead of `system`) count as `system`. */
	role: 'system' | 'user' | 'assistant' | 'tool';
	/** The message's text parts joined (for `tool`: the tool's output). */
	text: string;
	/** assistant: the tool calls it made. */
	toolCalls?: OpenAiToolCall[];
	/** tool: the call it answers. */
	toolCallId?: string;
}

/** A function tool offered to the model. */
export interface OpenAiTool {
	name: string;
	description: string;
	parameters: unknown;
}

/** A tool's result present in the conversation after the last user message. */
export interface OpenAiToolResult {
	callId: string;
	/** The tool's name, from the assistant message that called it ('' when not found). */
	name: string;
	output: string;
	/** `output` parsed as JSON when it is JSON, else the text. */
	value: unknown;
}

/** What a rule is matched against: one model call, normalised. */
export interface OpenAiConversation {
	api: OpenAiApi;
	model: string;
	stream: boolean;
	messages: OpenAiMessage[];
	tools: OpenAiTool[];
	/** The text of the last user message ('' when none). */
	lastUserText: string;
	/** Tool results after the last user message (the agent's loop within one turn). */
	toolResults: OpenAiToolResult[];
	/** The request body as received. */
	body: Record<string, unknown>;
}

/** A tool call to make; `name` as a RegExp is resolved against the names of the tools offered. */
export interface ScriptedToolCall {
	name: string | RegExp;
	arguments?: Record<string, unknown> | string;
	id?: string;
}

/** The model's answer: a text, tool calls, or both (text first). */
export interface OpenAiAnswer {
	text?: string;
	toolCalls?: ScriptedToolCall[];
}

export interface OpenAiRule {
	/** For `matched` in `calls` (default: the rule's position, `#1`…). */
	name?: string;
	/** The last user message contains this text (case-sensitive) or matches this RegExp. */
	user?: string | RegExp;
	/** Some message (system prompt, user, assistant, tool output) contains this text. */
	marker?: string;
	/** Tool results are present after the last user message (true) or not (false). */
	toolResults?: boolean;
	/** A result of this tool (name or RegExp) is present after the last user message. */
	toolResultFrom?: string | RegExp;
	/** No result of this tool (name or RegExp) after the last user message. */
	noToolResultFrom?: string | RegExp;
	/** A tool with this name (or matching) is offered. */
	tool?: string | RegExp;
	/** Any other condition. */
	when?: (c: OpenAiConversation) => boolean;
	/** Matches at most this many times (then it is skipped). */
	times?: number;
	answer: OpenAiAnswer | ((c: OpenAiConversation) => OpenAiAnswer);
}

/** A model call as recorded: the conversation, and what the emulator answered. */
export interface OpenAiCall extends OpenAiConversation {
	/** The rule that answered (its name or `#n`); undefined = no rule matched (HTTP 400). */
	matched?: string;
	/** The answer sent, tool calls resolved (ids and names as sent). */
	answer?: { text?: string; toolCalls: OpenAiToolCall[] };
}

export interface RecordedOpenAiRequest {
	method: string;
	path: string;
	status: number;
	authorization?: string;
}

export interface OpenAiEmulatorOptions {
	port?: number;
	apiKey?: string;
	/** Model ids listed by `GET /v1/models` (any model id is accepted by the endpoints). */
	models?: string[];
}

export const DEFAULT_OPENAI_API_KEY = 'sk-emulator-0123456789abcdef';
const DEFAULT_MODELS = ['gpt-5-mini', 'gpt-4.1-mini', 'gpt-4o-mini'];

// ---------------------------------------------------------------------------
// Reading requests (both APIs → OpenAiMessage[])
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** Text of a content: a string, or an array of parts with `text` (text, input_text, output_text). */
function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part) => (typeof part === 'string' ? part : String(asRecord(part).text ?? '')))
		.join('');
}

function parseArguments(raw: string): Record<string, unknown> {
	try {
		return asRecord(JSON.parse(raw));
	} catch {
		return {};
	}
}

function toolCall(id: unknown, name: unknown, rawArguments: unknown): OpenAiToolCall {
	const raw = typeof rawArguments === 'string' ? rawArguments : JSON.stringify(rawArguments ?? {});
	return {
		id: String(id ?? ''),
		name: String(name ?? ''),
		arguments: parseArguments(raw),
		rawArguments: raw,
	};
}

function role(value: unknown): OpenAiMessage['role'] {
	if (value === 'developer' || value === 'system') return 'system';
	if (value === 'assistant' || value === 'tool') return value;
	return 'user';
}

function chatMessages(body: Json): OpenAiMessage[] {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	return messages.map((m): OpenAiMessage => {
		const msg = asRecord(m);
		const out: OpenAiMessage = { role: role(msg.role), text: contentText(msg.content) };
		if (Array.isArray(msg.tool_calls)) {
			out.toolCalls = msg.tool_calls.map((c) => {
				const fn = asRecord(asRecord(c).function);
				return toolCall(asRecord(c).id, fn.name, fn.arguments);
			});
		}
		if (msg.tool_call_id !== undefined) out.toolCallId = String(msg.tool_call_id);
		return out;
	});
}

/** Responses API `input` items: messages, function calls (merged into the assistant turn), outputs. */
function responsesMessages(body: Json): OpenAiMessage[] {
	const out: OpenAiMessage[] = [];
	if (typeof body.instructions === 'string') out.push({ role: 'system', text: body.instructions });
	if (typeof body.input === 'string') return [...out, { role: 'user', text: body.input }];
	for (const raw of Array.isArray(body.input) ? body.input : []) {
		const item = asRecord(raw);
		if (item.type === 'function_call') {
			const call = toolCall(item.call_id, item.name, item.arguments);
			const last = out[out.length - 1];
			if (last?.role === 'assistant') (last.toolCalls ??= []).push(call);
			else out.push({ role: 'assistant', text: '', toolCalls: [call] });
		} else if (item.type === 'function_call_output') {
			const output = typeof item.output === 'string' ? item.output : contentText(item.output);
			out.push({ role: 'tool', text: output, toolCallId: String(item.call_id ?? '') });
		} else if (item.type === 'message' || item.role !== undefined) {
			out.push({ role: role(item.role), text: contentText(item.content) });
		}
	}
	return out;
}

function offeredTools(api: OpenAiApi, body: Json): OpenAiTool[] {
	const tools = Array.isArray(body.tools) ? body.tools : [];
	return tools
		.map((t) => (api === 'chat' ? asRecord(asRecord(t).function) : asRecord(t)))
		.filter((t) => typeof t.name === 'string')
		.map((t) => ({
			name: String(t.name),
			description: String(t.description ?? ''),
			parameters: t.parameters,
		}));
}

function jsonOrText(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export function conversationOf(api: OpenAiApi, body: Json): OpenAiConversation {
	const messages = api === 'chat' ? chatMessages(body) : responsesMessages(body);
	let lastUser = -1;
	messages.forEach((m, i) => {
		if (m.role === 'user') lastUser = i;
	});
	const names = new Map<string, string>();
	for (const m of messages) for (const c of m.toolCalls ?? []) names.set(c.id, c.name);
	const toolResults = messages
		.slice(lastUser + 1)
		.filter((m) => m.role === 'tool')
		.map((m) => {
			const callId = m.toolCallId ?? '';
			return { callId, name: names.get(callId) ?? '', output: m.text, value: jsonOrText(m.text) };
		});
	return {
		api,
		model: String(body.model ?? ''),
		stream: body.stream === true,
		messages,
		tools: offeredTools(api, body),
		lastUserText: lastUser >= 0 ? messages[lastUser].text : '',
		toolResults,
		body,
	};
}

// ---------------------------------------------------------------------------
// Matching rules
// ---------------------------------------------------------------------------

function nameMatches(pattern: string | RegExp, name: string): boolean {
	return typeof pattern === 'string' ? pattern === name : pattern.test(name);
}

function ruleMatches(rule: OpenAiRule, c: OpenAiConversation): boolean {
	if (rule.user !== undefined) {
		const ok =
			typeof rule.user === 'string'
				? c.lastUserText.includes(rule.user)
				: rule.user.test(c.lastUserText);
		if (!ok) return false;
	}
	if (rule.marker !== undefined && !c.messages.some((m) => m.text.includes(rule.marker!)))
		return false;
	if (rule.toolResults !== undefined && rule.toolResults !== c.toolResults.length > 0) return false;
	const from = rule.toolResultFrom;
	if (from !== undefined && !c.toolResults.some((r) => nameMatches(from, r.name))) return false;
	const notFrom = rule.noToolResultFrom;
	if (notFrom !== undefined && c.toolResults.some((r) => nameMatches(notFrom, r.name)))
		return false;
	const tool = rule.tool;
	if (tool !== undefined && !c.tools.some((t) => nameMatches(tool, t.name))) return false;
	return rule.when ? rule.when(c) : true;
}

// ---------------------------------------------------------------------------
// Writing answers
// ---------------------------------------------------------------------------

interface Answer {
	text?: string;
	toolCalls: OpenAiToolCall[];
}

/** Word-sized pieces (a streamed answer arrives in several deltas, as from the real API). */
function pieces(text: string): string[] {
	return text.match(/\S+\s*|\s+/g) ?? [''];
}

function usage(c: OpenAiConversation, a: Answer) {
	const input = Math.max(1, Math.ceil(JSON.stringify(c.messages).length / 4));
	const output = Math.max(
		1,
		Math.ceil(((a.text ?? '').length + JSON.stringify(a.toolCalls).length) / 4),
	);
	return { input, output };
}

function chatCompletion(id: string, c: OpenAiConversation, a: Answer, created: number): Json {
	const u = usage(c, a);
	return {
		id,
		object: 'chat.completion',
		created,
		model: c.model,
		system_fingerprint: null,
		choices: [
			{
				index: 0,
				message: {
					role: 'assistant',
					content: a.text ?? null,
					refusal: null,
					...(a.toolCalls.length ? { tool_calls: a.toolCalls.map(chatToolCall) } : {}),
				},
				logprobs: null,
				finish_reason: a.toolCalls.length ? 'tool_calls' : 'stop',
			},
		],
		usage: {
			prompt_tokens: u.input,
			completion_tokens: u.output,
			total_tokens: u.input + u.output,
		},
	};
}

function chatToolCall(call: OpenAiToolCall) {
	return {
		id: call.id,
		type: 'function',
		function: { name: call.name, arguments: call.rawArguments },
	};
}

function chatChunks(id: string, c: OpenAiConversation, a: Answer, created: number): Json[] {
	const chunk = (delta: Json, finish: string | null = null): Json => ({
		id,
		object: 'chat.completion.chunk',
		created,
		model: c.model,
		system_fingerprint: null,
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
	});
	const chunks = [chunk({ role: 'assistant', content: '', refusal: null })];
	if (a.text) for (const p of pieces(a.text)) chunks.push(chunk({ content: p }));
	a.toolCalls.forEach((call, index) => {
		const head = {
			index,
			id: call.id,
			type: 'function',
			function: { name: call.name, arguments: '' },
		};
		chunks.push(chunk({ tool_calls: [head] }));
		chunks.push(chunk({ tool_calls: [{ index, function: { arguments: call.rawArguments } }] }));
	});
	chunks.push(chunk({}, a.toolCalls.length ? 'tool_calls' : 'stop'));
	const options = asRecord(c.body.stream_options);
	if (options.include_usage === true) {
		const u = usage(c, a);
		chunks.push({
			...chunk({}),
			choices: [],
			usage: {
				prompt_tokens: u.input,
				completion_tokens: u.output,
				total_tokens: u.input + u.output,
			},
		});
	}
	return chunks;
}

function responseItems(n: number, a: Answer): Json[] {
	const items: Json[] = [];
	if (a.text !== undefined) {
		items.push({
			type: 'message',
			id: `msg_${n}`,
			status: 'completed',
			role: 'assistant',
			content: [{ type: 'output_text', text: a.text, annotations: [] }],
		});
	}
	a.toolCalls.forEach((call, i) =>
		items.push({
			type: 'function_call',
			id: `fc_${n}_${i}`,
			call_id: call.id,
			name: call.name,
			arguments: call.rawArguments,
			status: 'completed',
		}),
	);
	return items;
}

function responseObject(
	n: number,
	c: OpenAiConversation,
	a: Answer,
	created: number,
	done: boolean,
): Json {
	const u = usage(c, a);
	return {
		id: `resp_${n}`,
		object: 'response',
		created_at: created,
		status: done ? 'completed' : 'in_progress',
		error: null,
		incomplete_details: null,
		instructions: c.body.instructions ?? null,
		model: c.model,
		output: done ? responseItems(n, a) : [],
		...(done ? { output_text: a.text ?? '' } : {}),
		parallel_tool_calls: true,
		tool_choice: c.body.tool_choice ?? 'auto',
		tools: Array.isArray(c.body.tools) ? c.body.tools : [],
		text: { format: { type: 'text' } },
		metadata: {},
		usage: done
			? {
					input_tokens: u.input,
					input_tokens_details: { cached_tokens: 0 },
					output_tokens: u.output,
					output_tokens_details: { reasoning_tokens: 0 },
					total_tokens: u.input + u.output,
				}
			: null,
	};
}

/** The Responses API's stream: created, in_progress, per item added/deltas/done, completed. */
function responseEvents(n: number, c: OpenAiConversation, a: Answer, created: number): Json[] {
	const events: Json[] = [
		{ type: 'response.created', response: responseObject(n, c, a, created, false) },
		{ type: 'response.in_progress', response: responseObject(n, c, a, created, false) },
	];
	responseItems(n, a).forEach((item, output_index) => {
		const item_id = item.id;
		if (item.type === 'message') {
			const text = a.text ?? '';
			const part = { type: 'output_text', text: '', annotations: [] };
			events.push({
				type: 'response.output_item.added',
				output_index,
				item: { ...item, status: 'in_progress', content: [] },
			});
			events.push({
				type: 'response.content_part.added',
				item_id,
				output_index,
				content_index: 0,
				part,
			});
			for (const delta of pieces(text)) {
				events.push({
					type: 'response.output_text.delta',
					item_id,
					output_index,
					content_index: 0,
					delta,
					logprobs: [],
				});
			}
			events.push({
				type: 'response.output_text.done',
				item_id,
				output_index,
				content_index: 0,
				text,
				logprobs: [],
			});
			events.push({
				type: 'response.content_part.done',
				item_id,
				output_index,
				content_index: 0,
				part: { ...part, text },
			});
		} else {
			events.push({
				type: 'response.output_item.added',
				output_index,
				item: { ...item, status: 'in_progress', arguments: '' },
			});
			events.push({
				type: 'response.function_call_arguments.delta',
				item_id,
				output_index,
				delta: item.arguments,
			});
			events.push({
				type: 'response.function_call_arguments.done',
				item_id,
				output_index,
				arguments: item.arguments,
			});
		}
		events.push({ type: 'response.output_item.done', output_index, item });
	});
	events.push({ type: 'response.completed', response: responseObject(n, c, a, created, true) });
	return events.map((e, sequence_number) => ({ ...e, sequence_number }));
}

// ---------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------

export class OpenAiEmulator {
	/** The server's origin, e.g. http://127.0.0.1:43123. */
	readonly url: string;
	readonly apiKey: string;
	readonly models: string[];
	/** Every model call (chat completions and responses), in arrival order. */
	calls: OpenAiCall[] = [];
	/** Every HTTP request, in arrival order. */
	requests: RecordedOpenAiRequest[] = [];
	private rules: Array<{ rule: OpenAiRule; label: string; used: number }> = [];
	private counter = 0;

	private constructor(
		private readonly server: http.Server,
		options: OpenAiEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		this.apiKey = options.apiKey ?? DEFAULT_OPENAI_API_KEY;
		this.models = options.models ?? DEFAULT_MODELS;
		server.on('request', (req, res) => void this.handle(req, res));
	}

	static async start(options: OpenAiEmulatorOptions = {}): Promise<OpenAiEmulator> {
		const server = http.createServer();
		await listen(server, options.port);
		return new OpenAiEmulator(server, options);
	}

	async stop(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await closed;
	}

	/** The API base URL, what the credential's Base URL (or the model's Base URL option) takes. */
	get baseUrl(): string {
		return `${this.url}/v1`;
	}

	/** Appends rules (matched in order, first match answers). */
	script(...rules: OpenAiRule[]): this {
		for (const rule of rules) {
			this.rules.push({ rule, label: rule.name ?? `#${this.rules.length + 1}`, used: 0 });
		}
		return this;
	}

	/** Forgets the rules and the recorded calls and requests. */
	reset(): void {
		this.rules = [];
		this.calls = [];
		this.requests = [];
	}

	/** Model calls whose last user message contains `text`. */
	callsFor(text: string): OpenAiCall[] {
		return this.calls.filter((c) => c.lastUserText.includes(text));
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', this.url).pathname.replace(/\/+$/, '');
		const record: RecordedOpenAiRequest = { method: req.method ?? '', path, status: 0 };
		if (req.headers.authorization) record.authorization = req.headers.authorization;
		this.requests.push(record);
		const send = (status: number, body: unknown) => {
			record.status = status;
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		try {
			const raw = await readBody(req);
			if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
				return send(401, apiError('Incorrect API key provided.', 'invalid_api_key'));
			}
			if (req.method === 'GET' && path === '/v1/models') {
				return send(200, { object: 'list', data: this.models.map(modelObject) });
			}
			const model = /^\/v1\/models\/([^/]+)$/.exec(path);
			if (req.method === 'GET' && model) {
				const id = decodeURIComponent(model[1]);
				if (this.models.includes(id)) return send(200, modelObject(id));
				return send(404, apiError(`The model '${id}' does not exist`, 'model_not_found'));
			}
			const api: OpenAiApi | undefined =
				path === '/v1/chat/completions'
					? 'chat'
					: path === '/v1/responses'
						? 'responses'
						: undefined;
			if (req.method !== 'POST' || !api) {
				return send(404, apiError(`Unknown request URL: ${req.method} ${path}.`, 'unknown_url'));
			}
			let body: Json;
			try {
				body = asRecord(JSON.parse(raw));
			} catch {
				return send(
					400,
					apiError('We could not parse the JSON body of your request.', 'invalid_json'),
				);
			}
			this.answer(api, body, res, record);
		} catch (error) {
			if (!res.headersSent) send(500, apiError(String(error), 'emulator_error'));
		}
	}

	private answer(
		api: OpenAiApi,
		body: Json,
		res: http.ServerResponse,
		record: RecordedOpenAiRequest,
	) {
		const c = conversationOf(api, body);
		const call: OpenAiCall = { ...c };
		this.calls.push(call);
		const found = this.rules.find(
			(r) => (r.rule.times === undefined || r.used < r.rule.times) && ruleMatches(r.rule, c),
		);
		if (!found) {
			record.status = 400;
			res.writeHead(400, { 'content-type': 'application/json' });
			const text = JSON.stringify(c.lastUserText);
			res.end(
				JSON.stringify(apiError(`openai emulator: no scripted answer for ${text}`, 'no_rule')),
			);
			return;
		}
		found.used++;
		const n = ++this.counter;
		let a: Answer;
		try {
			a = this.resolve(found.rule, c, n);
		} catch (error) {
			record.status = 400;
			res.writeHead(400, { 'content-type': 'application/json' });
			res.end(JSON.stringify(apiError((error as Error).message, 'no_rule')));
			return;
		}
		call.matched = found.label;
		call.answer = a;
		const created = Math.floor(Date.now() / 1000);
		record.status = 200;
		if (!c.stream) {
			res.writeHead(200, { 'content-type': 'application/json' });
			const out =
				api === 'chat'
					? chatCompletion(`chatcmpl-${n}`, c, a, created)
					: responseObject(n, c, a, created, true);
			res.end(JSON.stringify(out));
			return;
		}
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		if (api === 'chat') {
			for (const chunk of chatChunks(`chatcmpl-${n}`, c, a, created))
				res.write(`data: ${JSON.stringify(chunk)}\n\n`);
			res.end('data: [DONE]\n\n');
		} else {
			for (const e of responseEvents(n, c, a, created))
				res.write(`event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`);
			res.end();
		}
	}

	/** The rule's answer with tool calls resolved: names against the offered tools, ids assigned. */
	private resolve(rule: OpenAiRule, c: OpenAiConversation, n: number): Answer {
		const scripted = typeof rule.answer === 'function' ? rule.answer(c) : rule.answer;
		const toolCalls = (scripted.toolCalls ?? []).map((t, i) => {
			const name =
				typeof t.name === 'string'
					? t.name
					: c.tools.find((o) => nameMatches(t.name, o.name))?.name;
			if (name === undefined) {
				const offered = c.tools.map((o) => o.name).join(', ') || 'none';
				throw new Error(
					`openai emulator: no offered tool matches ${String(t.name)} (offered: ${offered})`,
				);
			}
			return toolCall(t.id ?? `call_${n}_${i}`, name, t.arguments ?? {});
		});
		return { ...(scripted.text !== undefined ? { text: scripted.text } : {}), toolCalls };
	}
}

function apiError(message: string, code: string) {
	return { error: { message, type: 'invalid_request_error', param: null, code } };
}

function modelObject(id: string) {
	return { id, object: 'model', created: 1700000000, owned_by: 'emulator' };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}
