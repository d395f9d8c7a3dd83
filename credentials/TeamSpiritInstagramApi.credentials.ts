import { createHmac } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Instagram Direct through the Messenger Platform for Instagram (Meta's Graph API): the
 * Instagram professional account is linked to a Facebook Page, and the Page access token of that
 * Page sends and reads its messages. Every request carries the token and its `appsecret_proof`
 * (query parameters added by `authenticate`). The App Secret also signs the webhooks
 * (X-Hub-Signature-256); the Verify Token answers Meta's subscription handshake.
 */
export class TeamSpiritInstagramApi implements ICredentialType {
	name = 'teamSpiritInstagramApi';

	displayName = 'TeamSpirit Chat Channel: Instagram Direct API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#instagram-direct';

	properties: INodeProperties[] = [
		{
			displayName: 'Facebook Page ID',
			name: 'pageId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The numeric ID of the Facebook Page linked to the Instagram professional account ' +
				'(Page → About → Page transparency, or Meta Business Suite → Settings)',
		},
		{
			displayName: 'Instagram Account ID',
			name: 'instagramAccountId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The ID of the Instagram professional account (not its @name): Graph API Explorer, ' +
				'GET /{page-ID}?fields=instagram_business_account. Webhook deliveries name it as entry.id.',
		},
		{
			displayName: 'Page Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A Page access token of the linked Page with instagram_basic, instagram_manage_messages ' +
				'and pages_manage_metadata: Meta app → Messenger → Instagram settings → Access Tokens',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Meta app → App settings → Basic → App secret. Checks the webhook signatures and ' +
				'signs API calls (appsecret_proof).',
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Any secret string; enter the same one as "Verify token" when adding the callback ' +
				'URL in the Meta app (Messenger → Instagram settings → Webhooks)',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphVersion',
			type: 'string',
			default: 'v23.0',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only for a proxy, a sandbox or tests',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const token = String(credentials.accessToken ?? '');
		return {
			...requestOptions,
			qs: {
				...(requestOptions.qs ?? {}),
				access_token: token,
				// appsecret_proof: hex HMAC-SHA256 of the token keyed with the App Secret
				appsecret_proof: createHmac('sha256', String(credentials.appSecret ?? ''))
					.update(token)
					.digest('hex'),
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the credential to whatever host it names
			disableFollowRedirect: true,
			baseURL:
				'={{ ($credentials.baseUrl || "https://graph.facebook.com").replace(/\\/+$/, "") + ' +
				'"/" + ($credentials.graphVersion || "v23.0") }}',
			url: '=/{{ $credentials.pageId.trim() }}',
			qs: { fields: 'id,name,instagram_business_account' },
			method: 'GET',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'instagram_business_account',
					value: undefined,
					message:
						'The Page has no Instagram professional account linked (or the token may not see it): ' +
						'link it in Meta Business Suite → Settings → Instagram accounts',
				},
			},
		],
	};
}
