import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * A Viber bot through Viber's REST Bot API. Every request carries the bot's auth token in the
 * `X-Viber-Auth-Token` header (added by `authenticate`); the same token signs Viber's callbacks
 * (`X-Viber-Content-Signature`). Viber needs a sender name on every message: the Bot Name.
 */
export class TeamSpiritViberApi implements ICredentialType {
	name = 'teamSpiritViberApi';

	displayName = 'TeamSpirit Chat Channel: Viber API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#viber';

	properties: INodeProperties[] = [
		{
			displayName: 'Auth Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The bot\'s token: in Viber, More → Settings → Bots → Edit Info → "Your app key" ' +
				"(or the Viber Admin Panel). It also checks the signatures of Viber's callbacks.",
		},
		{
			displayName: 'Bot Name',
			name: 'botName',
			type: 'string',
			default: '',
			required: true,
			description:
				'The sender name every message shows (Viber requires one; at most 28 characters)',
		},
		{
			displayName: 'Avatar URL',
			name: 'avatarUrl',
			type: 'string',
			default: '',
			description:
				'Optional: a picture shown beside the messages (a public URL of a JPEG up to 100 KB)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://chatapi.viber.com/pa',
			description: 'Change only for a proxy, a sandbox or tests',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...(requestOptions.headers ?? {}),
				'X-Viber-Auth-Token': String(credentials.accessToken ?? '').trim(),
			},
		};
	}

	// Viber answers HTTP 200 also for a wrong token: the body's status says it
	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the token to whatever host it names
			disableFollowRedirect: true,
			baseURL:
				'={{ ($credentials.baseUrl || "https://chatapi.viber.com/pa").replace(/\\/+$/, "") }}',
			url: '/get_account_info',
			method: 'POST',
			body: {},
			json: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 2, message: 'Viber did not accept the Auth Token' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 8, message: 'The Auth Token does not belong to a bot' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 7, message: 'The bot is blocked by Viber' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 9, message: 'The bot is suspended by Viber' },
			},
		],
	};
}
