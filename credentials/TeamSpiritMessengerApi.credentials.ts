import { createHmac } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/** `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret. */
export function appSecretProof(accessToken: string, appSecret: string): string {
	return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * Facebook Messenger through Meta's Graph API. Every request carries the Page access token and
 * its `appsecret_proof` (query parameters added by `authenticate`), so the app may require proofs.
 * The App Secret also signs the webhooks (X-Hub-Signature-256); the Verify Token answers Meta's
 * subscription handshake.
 */
export class TeamSpiritMessengerApi implements ICredentialType {
	name = 'teamSpiritMessengerApi';

	displayName = 'TeamSpirit Chat Channel: Facebook Messenger API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#facebook-messenger';

	properties: INodeProperties[] = [
		{
			displayName: 'Page ID',
			name: 'pageId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The numeric ID of the Facebook Page (Page → About → Page transparency, or Meta Business Suite)',
		},
		{
			displayName: 'Page Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A Page access token with pages_messaging (and pages_manage_metadata to subscribe ' +
				'the page): Meta app → Messenger → Settings → Access Tokens',
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
				'URL in the Meta app (Messenger → Settings → Webhooks)',
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
				appsecret_proof: appSecretProof(token, String(credentials.appSecret ?? '')),
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
			qs: { fields: 'id,name' },
			method: 'GET',
		},
	};
}
