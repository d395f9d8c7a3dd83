import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Telegram puts the bot token in the URL path. Nodes ask for `/bot/<method>` or
 * `/file/bot/<file_path>`; `authenticate` turns that into the real URL, so the token exists only
 * in the request n8n sends (never in a node's parameters, output or errors).
 */
export function telegramUrl(baseUrl: unknown, token: unknown, path: string): string {
	const base =
		String(baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '') || 'https://api.telegram.org';
	const secret = String(token ?? '').trim();
	if (path.startsWith('/file/bot/'))
		return `${base}/file/bot${secret}/${path.slice('/file/bot/'.length)}`;
	if (path.startsWith('/bot/')) return `${base}/bot${secret}/${path.slice('/bot/'.length)}`;
	return path;
}

export class TeamSpiritTelegramApi implements ICredentialType {
	name = 'teamSpiritTelegramApi';

	displayName = 'TeamSpirit Chat Channel: Telegram Bot API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl =
		'https://github.com/teamspirit/n8n-nodes-teamspirit#chat-channel-and-chat-channel-trigger-telegram';

	properties: INodeProperties[] = [
		{
			displayName: 'Bot Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: '123456789:AAE…',
			description:
				'The token @BotFather gave you when you created the bot (/newbot, or /token for an existing one)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.telegram.org',
			description:
				'Change only for a local Telegram Bot API server (telegram-bot-api), e.g. http://localhost:8081',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const path = String(requestOptions.url ?? '');
		const baseURL = requestOptions.baseURL;
		if (baseURL !== undefined && !path.startsWith('/bot/') && !path.startsWith('/file/bot/')) {
			return requestOptions;
		}
		return {
			...requestOptions,
			baseURL: undefined,
			url: telegramUrl(credentials.baseUrl, credentials.accessToken, path),
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the credential to whatever host it names
			disableFollowRedirect: true,
			url: '/bot/getMe',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'ok', value: false, message: 'Telegram did not accept the bot token' },
			},
		],
	};
}
