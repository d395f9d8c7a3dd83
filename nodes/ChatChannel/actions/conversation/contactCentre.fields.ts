/**
 * Forward to TeamSpirit's *Contact Centre* section: the queues (nodes/conversations/centre/
 * queues.ts), each with its operators, routing, limit, business hours and the bot's words to the
 * customer. Empty (no queue): conversations work as before, every operator a member of every chat.
 */
import type { INodeProperties } from 'n8n-workflow';

import { buttonChannels } from '../../../channels/texts';
import { chatRLC } from '../../../shared/teamspirit/descriptions';

const queueFields: INodeProperties[] = [
	{
		displayName: 'Queue Name',
		name: 'name',
		type: 'string',
		default: 'Support',
		required: true,
		description:
			'How operators and commands name the queue (/transfer Support); unique, case does not matter',
	},
	{
		displayName: 'First Line',
		name: 'firstLine',
		type: 'options',
		options: [
			{
				name: 'AI Agent First',
				value: 'bot',
				description:
					'A new (or reopened) conversation belongs to the bot: not routed, no greeting or away reply; the AI Agent answers (Reply as Bot) until it hands over or an operator types in the chat',
			},
			{
				name: 'Operators',
				value: 'operators',
				description: 'A new conversation is routed to the operators at once',
			},
		],
		default: 'operators',
		description: 'Who answers a new conversation first',
	},
	{
		displayName: 'Handover Message',
		name: 'handoverMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: 'An operator will answer you shortly.',
		description:
			'Sent to the customer once when the AI Agent hands the conversation over to an operator. Empty: none.',
		displayOptions: { show: { firstLine: ['bot'] } },
	},
	{
		displayName: 'Operator Names or IDs',
		name: 'operators',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: [],
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: "The queue's operators: members of its conversation chats, and whom routing assigns",
	},
	{
		displayName: 'Routing',
		name: 'routing',
		type: 'options',
		options: [
			{
				name: 'Least Busy',
				value: 'leastBusy',
				description: 'Assigned to the available operator with the fewest open conversations',
			},
			{
				name: 'Manual',
				value: 'manual',
				description: 'Announced in the announcement chat; the first operator to type /take gets it',
			},
			{
				name: 'Round Robin',
				value: 'roundRobin',
				description: 'Assigned to the available operators in turn',
			},
		],
		default: 'manual',
		description:
			'How a new (or reopened) conversation gets its operator. Operators whose TeamSpirit status is away or offline are skipped.',
	},
	{
		...chatRLC,
		displayName: 'Announcement Chat',
		name: 'announceChat',
		required: false,
		description:
			'A team chat that hears of new conversations and of conversations waiting for a free operator',
	},
	{
		displayName: 'Max Open per Operator',
		name: 'maxOpen',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Over this many open conversations an operator gets no more; new ones wait in the queue and are assigned when a slot frees. 0: no limit.',
	},
	{
		displayName: 'Accounts',
		name: 'accounts',
		type: 'string',
		default: '',
		placeholder: '123456789, +14155238886',
		description:
			'The bots, numbers or pages this queue serves, comma-separated. Empty: all. A message goes to the first queue that serves its account.',
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: '',
		placeholder: 'Europe/Berlin',
		description: "The business hours' time zone (IANA name). Empty: the workflow's time zone.",
	},
	{
		displayName: 'Weekly Hours',
		name: 'weeklyHours',
		type: 'string',
		default: '',
		placeholder: 'Mon-Fri 09:00-18:00, Sat 10:00-14:00',
		description:
			'When operators answer. Empty: always. Outside them conversations wait and are assigned when the hours begin.',
	},
	{
		displayName: 'Holidays',
		name: 'holidays',
		type: 'string',
		default: '',
		placeholder: '2026-12-24, 12-25, 01-01',
		description: 'Closed days, comma-separated: a date, or month-day for every year',
	},
	{
		displayName: 'Greeting',
		name: 'greeting',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Hi! An operator will be with you shortly.',
		description:
			'Sent to the customer once, on their first message. Empty: none. {customer} is their name.',
	},
	{
		displayName: 'Away Reply',
		name: 'awayReply',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: "We're closed now and answer from {opening}.",
		description:
			'Sent outside business hours, once per conversation per closed period. Empty: none. {opening} is the next opening time.',
	},
	{
		displayName: 'Away Quiet Minutes',
		name: 'awayQuietMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 15,
		description: 'No away reply when an operator answered in the conversation this recently',
	},
	{
		displayName: 'Closing Message',
		name: 'closingMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Thanks for writing! Write again any time.',
		description: 'Sent to the customer when an operator resolves the conversation. Empty: none.',
	},
	{
		displayName: 'Ask for a Rating',
		name: 'askRating',
		type: 'boolean',
		default: false,
		description: `Whether to ask the customer to rate the conversation (1 to 5) when it is resolved: buttons on ${buttonChannels()}, a number elsewhere`,
	},
	{
		displayName: 'Rating Question',
		name: 'ratingQuestion',
		type: 'string',
		default: 'How did we do? Answer with a number from 1 (poor) to 5 (excellent).',
		displayOptions: { show: { askRating: [true] } },
		description:
			'Where the channel has no buttons, "Reply with a number from 1 to 5." is added unless the question names 1 and 5 itself',
	},
	{
		displayName: 'Note Prefix',
		name: 'notePrefix',
		type: 'string',
		default: '',
		placeholder: '//',
		description:
			'An operator message starting with this is a private note, never sent to the customer (as /note). Empty: only /note.',
	},
	{
		...chatRLC,
		displayName: 'Canned Replies Chat',
		name: 'cannedChat',
		required: false,
		description:
			'A TeamSpirit chat whose messages are "shortcut: text" (with {customer} and {operator}); operators send one with /r shortcut',
	},
];

export const contactCentreFields: INodeProperties[] = [
	{
		displayName: 'Contact Centre',
		name: 'contactCentre',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add queue',
		default: {},
		description:
			'Queues with routing, business hours, a greeting, an away reply and ratings. None: every operator is a member of every conversation chat, as before.',
		options: [{ displayName: 'Queue', name: 'queues', values: queueFields }],
	},
];
