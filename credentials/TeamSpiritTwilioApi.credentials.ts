import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * WhatsApp through Twilio. Requests use HTTP Basic auth: the API key pair when both halves are
 * set (revocable, recommended for sending), else Account SID + Auth Token. Inbound webhooks are
 * always signed with the Auth Token, so it is required even when an API key sends.
 */
export class TeamSpiritTwilioApi implements ICredentialType {
	name = 'teamSpiritTwilioApi';

	displayName = 'TeamSpirit Chat Channel: WhatsApp (Twilio) API';

	icon: Icon = {
		light: 'file:../nodes/ChatChannel/chatchannel.svg',
		dark: 'file:../nodes/ChatChannel/chatchannel.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#whatsapp-twilio';

	properties: INodeProperties[] = [
		{
			displayName: 'Account SID',
			name: 'accountSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'AC0123456789abcdef0123456789abcdef',
			description: 'Twilio Console → Account Info',
		},
		{
			displayName: 'Auth Token',
			name: 'authToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Twilio Console → Account Info. Twilio signs every webhook with it (X-Twilio-Signature).',
		},
		{
			displayName: 'API Key SID',
			name: 'apiKeySid',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SK…',
			description:
				'Optional: send with an API key instead of the Auth Token (Console → Account → API keys)',
		},
		{
			displayName: 'API Key Secret',
			name: 'apiKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.twilio.com',
			description: 'Change only for a proxy, a sandbox or tests',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const keySid = String(credentials.apiKeySid ?? '').trim();
		const keySecret = String(credentials.apiKeySecret ?? '');
		const auth =
			keySid && keySecret
				? { username: keySid, password: keySecret }
				: {
						username: String(credentials.accountSid ?? '').trim(),
						password: String(credentials.authToken ?? ''),
					};
		return { ...requestOptions, auth };
	}

	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the credential to whatever host it names
			disableFollowRedirect: true,
			baseURL: '={{ ($credentials.baseUrl || "https://api.twilio.com").replace(/\\/+$/, "") }}',
			url: '=/2010-04-01/Accounts/{{ $credentials.accountSid.trim() }}.json',
			method: 'GET',
		},
	};
}
