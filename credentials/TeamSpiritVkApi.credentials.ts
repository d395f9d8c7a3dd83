import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/** The version of VK's API the channel speaks (every request names it: `v`). */
const VK_API_VERSION = '5.199';

/**
 * A VK community (group) through VK's API with a community access token. `authenticate` adds the
 * token and the API version to every call (`access_token`, `v`). The Callback API's confirmation
 * string and secret key are needed only when the trigger receives by Callback API (mode Webhook).
 */
export class TeamSpiritVkApi implements ICredentialType {
	name = 'teamSpiritVkApi';

	displayName = 'TeamSpirit Chat Channel: VK API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#vk';

	properties: INodeProperties[] = [
		{
			displayName: 'Community Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Community management → Settings → API usage → Access tokens → Create token, with ' +
				'"Allow access to community messages", "photos" and "documents"',
		},
		{
			displayName: 'Group ID',
			name: 'groupId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '217000001',
			description:
				"The community's numeric ID (without the minus sign): Community management → Settings",
		},
		{
			displayName: 'Confirmation String',
			name: 'confirmation',
			type: 'string',
			default: '',
			description:
				'Only for receiving by Callback API: "String to be returned" in Community management → ' +
				'Settings → API usage → Callback API',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for receiving by Callback API: the "Secret key" set there; VK sends it with every ' +
				'event, and events without it are refused',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.vk.com',
			description: 'Change only for a proxy or tests',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			qs: {
				...(requestOptions.qs ?? {}),
				access_token: String(credentials.accessToken ?? ''),
				v: VK_API_VERSION,
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the token to whatever host it names
			disableFollowRedirect: true,
			baseURL: '={{ ($credentials.baseUrl || "https://api.vk.com").replace(/\\/+$/, "") }}',
			url: '=/method/groups.getById?group_id={{ encodeURIComponent(String($credentials.groupId).trim()) }}',
			method: 'GET',
		},
		// VK answers errors with HTTP 200 and an `error` object
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.error_code',
					value: 5,
					message: 'VK refused the access token (error 5): create a new community token',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.error_code',
					value: 100,
					message: 'VK does not know this Group ID (error 100): check it',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.error_code',
					value: 15,
					message: 'The token has no access to this community (error 15)',
				},
			},
		],
	};
}
