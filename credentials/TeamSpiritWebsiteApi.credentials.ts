import type {
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The Website chat channel: a chat on the company's site whose conversations live in TeamSpirit.
 * A bot's API key (the visitors' transcripts are chats only this bot is a member of) and the
 * Session Secret that signs visitors' sessions and the keys of their transcripts.
 */
export class TeamSpiritWebsiteApi implements ICredentialType {
	name = 'teamSpiritWebsiteApi';

	displayName = 'TeamSpirit Website Chat API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#website-chat';

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
				"A bot's API key (TeamSpirit: Administration → Bots → API keys). Each visitor's " +
				'transcript is a chat only this bot is in. It may be the bot of your TeamSpirit API ' +
				"credential: then the visitor's typing shows in the operators' conversation chat.",
		},
		{
			displayName: 'Session Secret',
			name: 'sessionSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"A long random string; signs visitors' sessions. Changing it starts new conversations " +
				'for every visitor.',
		},
	];

	/** The API key as a Bearer token, as the TeamSpirit API credential sends it. */
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
