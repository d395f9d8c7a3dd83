import type { AllEntities } from 'n8n-workflow';

/** Every resource and its operations; a missing operation file is a compile error in the router. */
type NodeMap = {
	message:
		| 'send'
		| 'sendAndWait'
		| 'sendToUser'
		| 'reply'
		| 'update'
		| 'delete'
		| 'get'
		| 'getAll'
		| 'search'
		| 'postForm';
	file: 'upload' | 'download' | 'get';
	chat: 'get' | 'getAll' | 'create' | 'addMembers' | 'removeMember' | 'markAsRead';
	user: 'get' | 'getAll' | 'getStatus';
	status: 'set';
	incomingWebhook: 'post';
	customApiCall: 'request';
};

export type TeamSpiritType = AllEntities<NodeMap>;
export type TeamSpiritResource = keyof NodeMap;
export type TeamSpiritMap = NodeMap;
