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
/** VK's errors for the credential's test request (groups.getById), each worded for the person setting it up. */
const TEST_REFUSALS: Array<[number, string]> = [
	[1, 'A temporary problem at VK: try again'],
	[2, 'The VK application behind this token is disabled'],
	[3, 'VK does not know the method: check the API Base URL'],
	[4, 'The access token has a wrong signature: copy it again'],
	[5, 'VK refused the access token: create a new community token'],
	[6, 'Too many requests per second: try again'],
	[7, 'The token lacks a right: give it access to community messages, photos and documents'],
	[8, 'VK could not read the request: check the Group ID and the API Base URL'],
	[9, 'Flood control: try again later'],
	[10, 'A temporary problem at VK: try again'],
	[15, 'The token has no access to this community'],
	[17, 'VK wants the token validated: create a new community token'],
	[18, 'The page of this token is deleted or blocked'],
	[23, 'VK has switched this method off'],
	[27, 'The token cannot be used for this: create a community token (not a user or app token)'],
	[28, 'The app token is not accepted: create a community token'],
	[29, 'The token reached a VK rate limit: try again later'],
	[30, 'The profile is private'],
	[100, 'VK does not know this Group ID: check it'],
	[113, 'VK does not know this ID'],
	[125, 'VK does not know this Group ID: check it'],
	[200, 'Access denied by VK'],
	[203, 'The token has no access to this community'],
];

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
		// VK answers errors with HTTP 200 and an `error` object; n8n's rules compare one value, so
		// every error this request can get is listed (VK's codes, dev.vk.com/en/reference/errors)
		rules: TEST_REFUSALS.map(([code, message]) => ({
			type: 'responseSuccessBody' as const,
			properties: {
				key: 'error.error_code',
				value: code,
				message: `${message} (VK error ${code})`,
			},
		})),
	};
}
