import type { AllEntities } from 'n8n-workflow';

/** Every resource and its operations; a missing operation file is a compile error in the router. */
type NodeMap = {
	message: 'send' | 'sendAndWait' | 'sendFile' | 'sendTemplate' | 'edit' | 'delete' | 'react';
	chat: 'sendAction';
	callback: 'answer';
	conversation:
		| 'toTeamSpirit'
		| 'toCustomer'
		| 'get'
		| 'getAll'
		| 'getHistory'
		| 'assign'
		| 'transfer'
		| 'resolve'
		| 'reopen'
		| 'snooze'
		| 'addNote'
		| 'sendCannedReply'
		| 'getStatistics'
		| 'processDue'
		| 'replyAsBot'
		| 'handOver';
};

export type ChatChannelType = AllEntities<NodeMap>;
export type ChatChannelResource = keyof NodeMap;
export type ChatChannelMap = NodeMap;
