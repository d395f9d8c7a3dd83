import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * An incoming webhook of TeamSpirit: a URL on the server that posts into one chat. The URL is
 * the secret (no API key), so it is stored as a password field and never shown in output.
 */
export class TeamSpiritIncomingWebhookApi implements ICredentialType {
	name = 'teamSpiritIncomingWebhookApi';

	displayName = 'TeamSpirit Incoming Webhook API';

	icon: Icon = {
		light: 'file:../nodes/TeamSpirit/teamspirit.svg',
		dark: 'file:../nodes/TeamSpirit/teamspirit.dark.svg',
	};

	documentationUrl = 'https://github.com/teamspirit/n8n-nodes-teamspirit#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'https://teamspirit.example.com/hooks/3f9c…',
			required: true,
			description:
				'The incoming-webhook URL that TeamSpirit shows when a chat admin adds an incoming ' +
				'webhook (Chat settings → Integrations). Anyone with it can post into that chat.',
		},
	];

	// Reads the hook's own info (GET on the same URL): checks the URL without posting anything.
	test: ICredentialTestRequest = {
		request: {
			// a redirect is not followed: n8n would send the credential to whatever host it names
			disableFollowRedirect: true,
			url: '={{$credentials.webhookUrl}}',
			method: 'GET',
		},
	};
}
