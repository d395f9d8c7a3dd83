import type { INodeProperties } from 'n8n-workflow';

import * as addNote from './addNote.operation';
import * as assign from './assign.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getHistory from './getHistory.operation';
import * as getStatistics from './getStatistics.operation';
import * as handOver from './handOver.operation';
import * as processDue from './processDue.operation';
import * as reopen from './reopen.operation';
import * as replyAsBot from './replyAsBot.operation';
import * as resolve from './resolve.operation';
import * as sendCannedReply from './sendCannedReply.operation';
import * as snooze from './snooze.operation';
import * as toCustomer from './toCustomer.operation';
import * as toTeamSpirit from './toTeamSpirit.operation';
import * as transfer from './transfer.operation';

export {
	addNote,
	assign,
	get,
	getAll,
	getHistory,
	getStatistics,
	handOver,
	processDue,
	reopen,
	replyAsBot,
	resolve,
	sendCannedReply,
	snooze,
	toCustomer,
	toTeamSpirit,
	transfer,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Add Note',
				value: 'addNote',
				description:
					'Post a private note for the operators in a conversation chat; never sent to the customer',
				action: 'Add a private note to a conversation',
			},
			{
				name: 'Assign',
				value: 'assign',
				description: 'Give a conversation to an operator, who becomes a member of its chat',
				action: 'Assign a conversation to an operator',
			},
			{
				name: 'Forward to TeamSpirit',
				value: 'toTeamSpirit',
				description:
					"Post a customer's message in the customer's own TeamSpirit chat, created on the first message",
				action: 'Forward a customer message to the operators',
			},
			{
				name: 'Get',
				value: 'get',
				description:
					"Get one customer conversation (status, assignee, queue, times, rating) by its chat or by the customer's conversation ID",
				action: 'Get a conversation',
			},
			{
				name: 'Get Conversation History',
				value: 'getHistory',
				description:
					"The customer's conversations with their state and last messages as short lines (customer, bot, operators), for an AI agent",
				action: 'Get the conversation history of a customer',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List customer conversations, filtered by status, assignee, queue and channel',
				action: 'Get many conversations',
			},
			{
				name: 'Get Statistics',
				value: 'getStatistics',
				description:
					'Count conversations by status, queue and operator, with the median first-response and resolution times of a period',
				action: 'Get conversation statistics',
			},
			{
				name: 'Hand Over to Operator',
				value: 'handOver',
				description:
					"The AI Agent hands the conversation to the operators (a tool): the reason in the chat, the queue's Handover Message to the customer, routed to an operator",
				action: 'Hand over a conversation to an operator',
			},
			{
				name: 'Process Due Conversations',
				value: 'processDue',
				description:
					'Reopen snoozed conversations whose time came and assign waiting ones; run it from a Schedule Trigger every minute',
				action: 'Process due conversations',
			},
			{
				name: 'Reopen',
				value: 'reopen',
				description: 'Open a resolved or snoozed conversation again',
				action: 'Reopen a conversation',
			},
			{
				name: 'Reply as Bot',
				value: 'replyAsBot',
				description:
					"Send the AI Agent's answer to the customer, once per customer message, while the bot owns the conversation; shown in the chat as the bot's",
				action: 'Reply to the customer as the bot',
			},
			{
				name: 'Resolve',
				value: 'resolve',
				description:
					"Close a conversation, optionally with a comment; the queue's closing message and rating question go to the customer",
				action: 'Resolve a conversation',
			},
			{
				name: 'Send Canned Reply',
				value: 'sendCannedReply',
				description:
					"Send the customer one of the queue's canned replies by its shortcut, with their name and the operator's filled in",
				action: 'Send a canned reply to the customer',
			},
			{
				name: 'Send to Customer',
				value: 'toCustomer',
				description:
					'Send what an operator posted, edited or deleted in a conversation chat to its customer',
				action: 'Send an operator message to the customer',
			},
			{
				name: 'Snooze',
				value: 'snooze',
				description:
					'Set a conversation aside until a time; it opens again then, or when the customer writes',
				action: 'Snooze a conversation',
			},
			{
				name: 'Transfer',
				value: 'transfer',
				description: 'Move a conversation to another queue (routed again there) or to an operator',
				action: 'Transfer a conversation',
			},
		],
		default: 'toTeamSpirit',
	},
	...toTeamSpirit.description,
	...toCustomer.description,
	...get.description,
	...getAll.description,
	...getHistory.description,
	...assign.description,
	...transfer.description,
	...resolve.description,
	...reopen.description,
	...snooze.description,
	...addNote.description,
	...sendCannedReply.description,
	...getStatistics.description,
	...processDue.description,
	...replyAsBot.description,
	...handOver.description,
];
