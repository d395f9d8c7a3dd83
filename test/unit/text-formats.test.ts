/**
 * The Format field offers each channel the text formats its adapter lists (`textFormats`), and a
 * saved value the channel is no longer offered is still kept for execution (n8n keeps the values
 * of shown fields, whatever the options).
 */
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { adapters } from '../../nodes/channels';

const type = new ChatChannel();
const node = { parameters: {} } as unknown as INode;

function formatsOffered(parameters: INodeParameters): string[] {
	return type.description.properties
		.filter(
			(p) =>
				p.name === 'format' && NodeHelpers.displayParameter(parameters, p, node, type.description),
		)
		.flatMap((p) => (p.options ?? []).map((o) => String((o as { value: unknown }).value)));
}

/** The parameters n8n keeps for execution (Workflow resolves node parameters like this). */
function kept(parameters: INodeParameters): INodeParameters {
	return (
		NodeHelpers.getNodeParameters(
			type.description.properties,
			parameters,
			true,
			false,
			{ ...node, parameters } as INode,
			type.description,
		) ?? {}
	);
}

const send = (channel: string) => ({ channel, resource: 'message', operation: 'send' });

describe('text formats come from the adapters', () => {
	it.each(Object.keys(adapters))(
		'%s: Send Text offers the formats its adapter lists',
		(channel) => {
			const adapter = adapters[channel as keyof typeof adapters];
			const listed = Object.keys(adapter.textFormats ?? { plain: '' }).sort();
			expect(formatsOffered(send(channel)).sort()).toEqual(listed);
			expect(formatsOffered({ ...send(channel), operation: 'sendFile' }).sort()).toEqual(listed);
		},
	);

	it('Telegram alone is offered MarkdownV2; WhatsApp HTML as its own formatting; Messenger plain text', () => {
		expect(formatsOffered(send('telegram')).sort()).toEqual([
			'html',
			'markdownV2',
			'markdownV2Raw',
			'plain',
		]);
		expect(formatsOffered(send('whatsapp')).sort()).toEqual(['html', 'plain']);
		expect(formatsOffered(send('messenger'))).toEqual(['plain']);
		expect(formatsOffered({ ...send('telegram'), operation: 'edit' })).toContain('markdownV2Raw');
	});

	it('keeps saved formats for execution: MarkdownV2 as written on Telegram, and on the others', () => {
		expect(kept({ ...send('telegram'), format: 'markdownV2Raw' }).format).toBe('markdownV2Raw');
		expect(kept({ ...send('whatsapp'), format: 'markdownV2Raw' }).format).toBe('markdownV2Raw');
		expect(kept({ ...send('messenger'), format: 'html' }).format).toBe('html');
		expect(kept({ ...send('messenger'), operation: 'sendFile', format: 'html' }).format).toBe(
			'html',
		);
	});
});
