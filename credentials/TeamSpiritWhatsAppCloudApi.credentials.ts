import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * WhatsApp through Meta's Cloud API (Graph). Every request carries the access token of a system
 * user as `Authorization: Bearer` (added by `authenticate`, also to media downloads, which need
 * it). The App Secret checks the webhooks' X-Hub-Signature-256; the Verify Token answers Meta's
 * subscription handshake. One app subscription serves every number of the WhatsApp Business
 * Account: the Phone Number ID here is the sender when nothing else says which number to use.
 */
export class TeamSpiritWhatsAppCloudApi implements ICredentialType {
	name = 'teamSpiritWhatsAppCloudApi';

	displayName = 'TeamSpirit Chat Channel: WhatsApp (Cloud API) API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#whatsapp-cloud-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"A system user's permanent token with whatsapp_business_messaging (and " +
				'whatsapp_business_management to subscribe the app or read templates): Meta Business ' +
				'Settings → Users → System users → Generate new token',
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '106540352242922',
			description:
				'The ID (not the number) of the business phone number to send from when a message is ' +
				'not a reply to a customer: Meta app → WhatsApp → API Setup. Replies go out from the ' +
				'number the customer wrote to.',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Meta app → App settings → Basic → App secret. Checks the signature of every webhook delivery.',
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Any secret string; enter the same one as "Verify token" next to the callback URL ' +
				'(Meta app → WhatsApp → Configuration → Webhook)',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			placeholder: '102290129340398',
			description:
				'Optional: the WhatsApp Business Account (WABA) ID, for subscribing the app to its ' +
				'webhooks on activation (Chat Channel Trigger option)',
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
		return {
			...requestOptions,
			headers: {
				...(requestOptions.headers ?? {}),
				Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the token to whatever host it names
			disableFollowRedirect: true,
			baseURL:
				'={{ ($credentials.baseUrl || "https://graph.facebook.com").replace(/\\/+$/, "") + ' +
				'"/" + ($credentials.graphVersion || "v23.0") }}',
			url: '=/{{ $credentials.phoneNumberId.trim() }}',
			qs: { fields: 'display_phone_number,verified_name' },
			method: 'GET',
		},
	};
}
