import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/**
 * Adds `displayOptions` to each property, merging a property's own show/hide rules with the
 * given ones instead of replacing them. (n8n-workflow only exports its own copy in recent
 * versions; the package supports older n8n too.)
 */
export function updateDisplayOptions(
	displayOptions: IDisplayOptions,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...displayOptions.show, ...property.displayOptions?.show },
			...(displayOptions.hide || property.displayOptions?.hide
				? { hide: { ...displayOptions.hide, ...property.displayOptions?.hide } }
				: {}),
		},
	}));
}
