import type {
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class TeamSpiritApi implements ICredentialType {
	name = 'teamSpiritApi';

	displayName = 'TeamSpirit API';

	icon: Icon = {
		light: 'file:../nodes/TeamSpirit/teamspirit.svg',
		dark: 'file:../nodes/TeamSpirit/teamspirit.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'serverUrl',
			type: 'string',
			default: '',
			placeholder: 'https://teamspirit.example.com',
			required: true,
			description:
				'The address of your TeamSpirit server, as you open it in the browser. The API lives under /api/v1 on it.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The bot's API key. A TeamSpirit admin issues it under Administration → Bots → API " +
				'keys (it is also shown once when an outgoing webhook is registered).',
		},
		{
			displayName: 'Outgoing Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for a TeamSpirit Trigger whose outgoing webhook an admin created by hand: the ' +
				'secret TeamSpirit showed then (whsec_…). Leave empty otherwise: webhooks the ' +
				'trigger registers keep their own secret.',
		},
		{
			displayName: 'Conversation Secret',
			name: 'conversationSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for customer conversations (Chat Channel node): the secret the bridge signs the keys ' +
				'of the chats it opens with, so it never sends from a chat it did not open. Empty: the API ' +
				'key is used. Set any long random string before you replace the API key (a new secret ' +
				"opens new chats for customers who write again); don't change it afterwards.",
		},
	];

	/**
	 * The API key as a Bearer token. A function rather than n8n's declarative form on purpose: n8n
	 * adds its own "Custom API Call" entry (which sends users to the HTTP Request node) to every
	 * node with a declarative credential, and the Chat Channel node carries this credential for its
	 * conversation operations only; the TeamSpirit node has a Custom API Call of its own.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.apiKey ?? '').trim()}`,
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the credential to whatever host it names
			disableFollowRedirect: true,
			// the Server URL as the nodes read it: a trailing slash or /api/v1 is ignored
			baseURL:
				'={{$credentials.serverUrl.trim().replace(/\\/+$/, "").replace(/\\/api\\/v1$/, "")}}/api/v1',
			url: '/me',
			method: 'GET',
		},
	};
}
