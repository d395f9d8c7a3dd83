/**
 * The OpenAI emulator, driven by requests shaped like the OpenAI SDK's (as @langchain/openai sends
 * them for n8n's OpenAI Chat Model): Chat Completions and the Responses API, JSON and SSE.
 */
import { OpenAiEmulator, type OpenAiRule } from './openai';

let ai: OpenAiEmulator;

beforeAll(async () => {
	ai = await OpenAiEmulator.start();
});
afterAll(async () => ai.stop());
beforeEach(() => ai.reset());

/** Response bodies are asserted field by field. */
const json = (res: Response): Promise<any> => res.json();

function post(path: string, body: unknown, key = ai.apiKey) {
	return fetch(`${ai.baseUrl}${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
}

/** Reads an SSE body into its events: `{ event, data }` (data parsed unless `[DONE]`). */
async function sse(res: Response): Promise<Array<{ event?: string; data: any }>> {
	expect(res.headers.get('content-type')).toBe('text/event-stream');
	const text = await res.text();
	return text
		.split('\n\n')
		.filter((block) => block.trim())
		.map((block) => {
			const lines = block.split('\n');
			const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
			const data = lines.find((l) => l.startsWith('data: '))!.slice(6);
			return { event, data: data === '[DONE]' ? data : JSON.parse(data) };
		});
}

const handOverTool = {
	name: 'Hand_Over_to_Operator',
	description: 'Hands the conversation over to a person',
	parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
};

/** The script of the story: asks for a person → hand over (reason) → then a text. */
const handOverScript: OpenAiRule[] = [
	{
		name: 'handed over',
		toolResultFrom: /hand_over/i,
		answer: (c) => ({ text: `Done: ${c.toolResults[0].output}` }),
	},
	{
		name: 'hand over',
		user: /a person/i,
		answer: {
			toolCalls: [{ name: /hand_over/i, arguments: { reason: 'customer asked for a person' } }],
		},
	},
	{ name: 'echo', answer: (c) => ({ text: `You said: ${c.lastUserText}` }) },
];

describe('GET /v1/models (the openAiApi credential test and the model list)', () => {
	it('lists the models for the right key', async () => {
		const res = await fetch(`${ai.baseUrl}/models`, {
			headers: { authorization: `Bearer ${ai.apiKey}` },
		});
		expect(res.status).toBe(200);
		const body = await json(res);
		expect(body.object).toBe('list');
		expect(body.data.map((m: { id: string }) => m.id)).toContain('gpt-5-mini');
		expect(body.data[0]).toMatchObject({ object: 'model', owned_by: 'emulator' });
	});

	it('refuses a wrong key with OpenAI 401 and answers no model call', async () => {
		ai.script({ answer: { text: 'never' } });
		const models = await fetch(`${ai.baseUrl}/models`, {
			headers: { authorization: 'Bearer sk-wrong' },
		});
		expect(models.status).toBe(401);
		expect((await json(models)).error.code).toBe('invalid_api_key');
		const chat = await post(
			'/chat/completions',
			{ model: 'x', messages: [{ role: 'user', content: 'hi' }] },
			'sk-wrong',
		);
		expect(chat.status).toBe(401);
		expect(ai.calls).toHaveLength(0);
	});
});

describe('POST /v1/chat/completions', () => {
	it('answers a text by the last user message and records the conversation', async () => {
		ai.script(...handOverScript);
		const res = await post('/chat/completions', {
			model: 'gpt-4.1-mini',
			messages: [
				{ role: 'system', content: 'You are the first line. [queue:support]' },
				{ role: 'user', content: 'Where is my parcel?' },
			],
			tools: [{ type: 'function', function: handOverTool }],
		});
		expect(res.status).toBe(200);
		const body = await json(res);
		expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4.1-mini' });
		expect(body.choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: { role: 'assistant', content: 'You said: Where is my parcel?' },
		});
		expect(body.usage.total_tokens).toBeGreaterThan(0);
		expect(ai.calls).toHaveLength(1);
		expect(ai.calls[0]).toMatchObject({
			api: 'chat',
			stream: false,
			matched: 'echo',
			lastUserText: 'Where is my parcel?',
			tools: [{ name: 'Hand_Over_to_Operator', parameters: handOverTool.parameters }],
		});
		expect(ai.calls[0].messages[0]).toEqual({
			role: 'system',
			text: 'You are the first line. [queue:support]',
		});
	});

	it('scripts a tool call, then the text once the tool result is in the conversation', async () => {
		ai.script(...handOverScript);
		const first = await json(
			await post('/chat/completions', {
				model: 'gpt-4.1-mini',
				messages: [{ role: 'user', content: [{ type: 'text', text: 'I want a person please' }] }],
				tools: [{ type: 'function', function: handOverTool }],
			}),
		);
		const message = first.choices[0].message;
		expect(first.choices[0].finish_reason).toBe('tool_calls');
		expect(message.content).toBeNull();
		expect(message.tool_calls).toHaveLength(1);
		const call = message.tool_calls[0];
		expect(call).toMatchObject({ type: 'function', function: { name: 'Hand_Over_to_Operator' } });
		expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'customer asked for a person' });

		const second = await json(
			await post('/chat/completions', {
				model: 'gpt-4.1-mini',
				messages: [
					{ role: 'user', content: 'I want a person please' },
					{ role: 'assistant', content: null, tool_calls: [call] },
					{ role: 'tool', tool_call_id: call.id, content: 'handed over' },
				],
				tools: [{ type: 'function', function: handOverTool }],
			}),
		);
		expect(second.choices[0].message.content).toBe('Done: handed over');
		expect(ai.calls.map((c) => c.matched)).toEqual(['hand over', 'handed over']);
		expect(ai.calls[1].toolResults).toEqual([
			{
				callId: call.id,
				name: 'Hand_Over_to_Operator',
				output: 'handed over',
				value: 'handed over',
			},
		]);
	});

	it('streams the text and the tool calls as SSE chunks, usage on request, then [DONE]', async () => {
		ai.script({ user: 'stream text', answer: { text: 'Hello there, customer' } });
		ai.script({
			user: 'stream tool',
			answer: { toolCalls: [{ name: 'lookup', arguments: { q: 'x' }, id: 'call_fixed' }] },
		});
		const events = await sse(
			await post('/chat/completions', {
				model: 'm',
				stream: true,
				stream_options: { include_usage: true },
				messages: [{ role: 'user', content: 'stream text' }],
			}),
		);
		expect(events.at(-1)!.data).toBe('[DONE]');
		const chunks = events.slice(0, -1).map((e) => e.data);
		expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
		const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
		expect(text).toBe('Hello there, customer');
		expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(1);
		expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
		expect(chunks.at(-1)!).toMatchObject({
			choices: [],
			usage: { total_tokens: expect.any(Number) },
		});

		const tool = (
			await sse(
				await post('/chat/completions', {
					model: 'm',
					stream: true,
					messages: [{ role: 'user', content: 'stream tool' }],
				}),
			)
		)
			.slice(0, -1)
			.map((e) => e.data);
		const deltas = tool.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
		expect(deltas[0]).toMatchObject({
			index: 0,
			id: 'call_fixed',
			function: { name: 'lookup', arguments: '' },
		});
		expect(JSON.parse(deltas.map((d) => d.function.arguments).join(''))).toEqual({ q: 'x' });
		expect(tool.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
		expect(tool.some((c) => c.usage)).toBe(false);
	});
});

describe('POST /v1/responses (the OpenAI Chat Model 1.3 default)', () => {
	const input = [
		{ type: 'message', role: 'developer', content: 'You are the first line.' },
		{
			type: 'message',
			role: 'user',
			content: [{ type: 'input_text', text: 'Can I talk to a person?' }],
		},
	];
	const tools = [{ type: 'function', strict: false, ...handOverTool }];

	it('answers a function call, then reads function_call_output items as tool results', async () => {
		ai.script(...handOverScript);
		const first = await json(await post('/responses', { model: 'gpt-5-mini', input, tools }));
		expect(first).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-5-mini' });
		expect(first.output).toEqual([
			{
				type: 'function_call',
				id: expect.stringMatching(/^fc_/),
				call_id: expect.stringMatching(/^call_/),
				name: 'Hand_Over_to_Operator',
				arguments: JSON.stringify({ reason: 'customer asked for a person' }),
				status: 'completed',
			},
		]);
		expect(first.usage).toMatchObject({
			input_tokens: expect.any(Number),
			output_tokens: expect.any(Number),
		});
		expect(ai.calls[0]).toMatchObject({
			api: 'responses',
			lastUserText: 'Can I talk to a person?',
			tools: [{ name: 'Hand_Over_to_Operator' }],
		});
		expect(ai.calls[0].messages[0].role).toBe('system');

		// @langchain/openai sends the previous output items back, then the tool's output.
		const fc = first.output[0];
		const second = await json(
			await post('/responses', {
				model: 'gpt-5-mini',
				input: [
					...input,
					fc,
					{ type: 'function_call_output', call_id: fc.call_id, output: '{"ok":true}' },
				],
				tools,
			}),
		);
		expect(second.output).toEqual([
			{
				type: 'message',
				id: expect.stringMatching(/^msg_/),
				status: 'completed',
				role: 'assistant',
				content: [{ type: 'output_text', text: 'Done: {"ok":true}', annotations: [] }],
			},
		]);
		expect(ai.calls[1].toolResults).toEqual([
			{
				callId: fc.call_id,
				name: 'Hand_Over_to_Operator',
				output: '{"ok":true}',
				value: { ok: true },
			},
		]);
	});

	it('streams response.* events whose deltas add up to the answer', async () => {
		ai.script({
			answer: {
				text: 'Let me check that for you',
				toolCalls: [{ name: /hand/i, arguments: { reason: 'r' } }],
			},
		});
		const events = await sse(
			await post('/responses', { model: 'gpt-5-mini', input, tools, stream: true }),
		);
		expect(events.every((e) => e.event === e.data.type)).toBe(true);
		expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
		const types = events.map((e) => e.data.type);
		expect(types[0]).toBe('response.created');
		expect(types.at(-1)).toBe('response.completed');
		const text = events
			.filter((e) => e.data.type === 'response.output_text.delta')
			.map((e) => e.data.delta);
		expect(text.length).toBeGreaterThan(1);
		expect(text.join('')).toBe('Let me check that for you');
		const added = events.find(
			(e) => e.data.type === 'response.output_item.added' && e.data.item.type === 'function_call',
		)!;
		expect(added.data.item).toMatchObject({ name: 'Hand_Over_to_Operator', arguments: '' });
		const args = events.filter(
			(e) =>
				e.data.type === 'response.function_call_arguments.delta' &&
				e.data.output_index === added.data.output_index,
		);
		expect(JSON.parse(args.map((e) => e.data.delta).join(''))).toEqual({ reason: 'r' });
		const completed = events.at(-1)!.data.response;
		expect(completed.output.map((o: { type: string }) => o.type)).toEqual([
			'message',
			'function_call',
		]);
		expect(completed.usage.total_tokens).toBeGreaterThan(0);
		expect(ai.calls[0].stream).toBe(true);
	});
});

describe('scripting', () => {
	it('matches markers, tool offers and counts, first rule first', async () => {
		ai.script(
			{ name: 'once', user: 'hello', times: 1, answer: { text: 'first hello' } },
			{ name: 'vip', marker: '[vip]', answer: { text: 'vip hello' } },
			{
				name: 'search',
				tool: 'Search',
				toolResults: false,
				answer: { toolCalls: [{ name: 'Search', arguments: '{"query":"x"}' }] },
			},
		);
		const ask = async (messages: unknown[], extra: object = {}) =>
			(await json(await post('/chat/completions', { model: 'm', messages, ...extra }))).choices[0]
				.message;
		expect((await ask([{ role: 'user', content: 'hello' }])).content).toBe('first hello');
		expect(
			(
				await ask([
					{ role: 'system', content: 'customer [vip]' },
					{ role: 'user', content: 'hello' },
				])
			).content,
		).toBe('vip hello');
		const searchTool = {
			type: 'function',
			function: { name: 'Search', description: '', parameters: {} },
		};
		const m = await ask([{ role: 'user', content: 'hello' }], { tools: [searchTool] });
		expect(JSON.parse(m.tool_calls[0].function.arguments)).toEqual({ query: 'x' });
		expect(ai.calls.map((c) => c.matched)).toEqual(['once', 'vip', 'search']);
	});

	it('fails loudly when no rule matches or a tool name matches no offered tool', async () => {
		ai.script({ user: 'the tool please', answer: { toolCalls: [{ name: /missing/ }] } });
		const res = await post('/chat/completions', {
			model: 'm',
			messages: [{ role: 'user', content: 'unknown words' }],
		});
		expect(res.status).toBe(400);
		expect((await json(res)).error.message).toBe(
			'openai emulator: no scripted answer for "unknown words"',
		);
		const bad = await post('/responses', { model: 'm', input: 'the tool please' });
		expect(bad.status).toBe(400);
		expect((await json(bad)).error.message).toMatch(
			/no offered tool matches \/missing\/ \(offered: none\)/,
		);
		expect(ai.calls.map((c) => c.matched)).toEqual([undefined, undefined]);
		expect(ai.requests.map((r) => r.status)).toEqual([400, 400]);
	});
});
