/**
 * Shared locations: one map link for every channel, and the note the conversation bridge shows
 * for one (filled by each adapter's normalize.ts into `ChannelMessage.location`).
 */
import type { ChannelLocation, ConversationNote } from './types';

/**
 * A map of the place (OpenStreetMap). The coordinates are written as the channel sent them
 * (Twilio's "52.5200" stays "52.5200").
 */
function mapLink(latitude: number | string, longitude: number | string): string {
	return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
}

/** A location from coordinates (numbers, or decimal texts); undefined when they are not. */
export function locationOf(
	latitude: unknown,
	longitude: unknown,
	place: { name?: unknown; address?: unknown } = {},
): ChannelLocation | undefined {
	const coordinate = (value: unknown) =>
		typeof value === 'number'
			? Number.isFinite(value)
			: typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
	if (!coordinate(latitude) || !coordinate(longitude)) return undefined;
	const text = (value: unknown) =>
		typeof value === 'string' && value.trim() ? value.trim() : undefined;
	const name = text(place.name);
	const address = text(place.address);
	return {
		latitude: Number(latitude),
		longitude: Number(longitude),
		...(name ? { name } : {}),
		...(address ? { address } : {}),
		mapUrl: mapLink(latitude as number | string, longitude as number | string),
	};
}

/** The location as the operator reads it: "📍 name, address: map", or "📍 Location: map". */
export function locationNote(location: ChannelLocation): ConversationNote {
	const values = [location.name, location.address].filter((value): value is string => !!value);
	return { label: values.length ? '📍' : '📍 Location', values, link: location.mapUrl };
}
