/**
 * Every string the widget shows, per *Language* (the keys of widget/chat.js's DEFAULT_TEXTS;
 * `{max}`, `{name}`, `{count}` are filled in by the widget); the trigger's *Texts* override four of
 * them. The widget gets them in the session's `config.texts` and shows them with textContent only.
 */
const TEXT_KEYS = [
	'title',
	'welcome',
	'placeholder',
	'offline',
	'open',
	'close',
	'send',
	'attach',
	'removeFile',
	'messages',
	'you',
	'agent',
	'typing',
	'sending',
	'notSent',
	'retry',
	'edited',
	'unread',
	'contactIntro',
	'name',
	'email',
	'start',
	'skip',
	'reconnecting',
	'errorContact',
	'errorEmail',
	'errorTextTooLong',
	'errorFileTooLarge',
	'errorTooManyFiles',
	'errorRateLimited',
	'errorUnavailable',
	'errorOrigin',
	'errorGeneric',
] as const;

export type TextKey = (typeof TEXT_KEYS)[number];
export type WidgetTexts = Record<TextKey, string>;
export type Language = 'en' | 'ru' | 'de';

const en: WidgetTexts = {
	title: 'Chat with us',
	welcome: 'Hi! How can we help you?',
	placeholder: 'Write a message…',
	offline: "We're offline right now. Leave a message and we'll answer when we're back.",
	open: 'Open chat',
	close: 'Close chat',
	send: 'Send',
	attach: 'Attach files',
	removeFile: 'Remove {name}',
	messages: 'Messages',
	you: 'You',
	agent: 'Support',
	typing: 'Support is typing…',
	sending: 'Sending…',
	notSent: 'Not sent.',
	retry: 'Retry',
	edited: 'edited',
	unread: '{count} new',
	contactIntro: 'Please tell us how to reach you.',
	name: 'Name',
	email: 'E-mail',
	start: 'Start chat',
	skip: 'Skip',
	reconnecting: 'Reconnecting…',
	errorContact: 'Please enter your name and a valid e-mail address.',
	errorEmail: 'Please enter a valid e-mail address.',
	errorTextTooLong: 'This message is too long (at most {max} characters).',
	errorFileTooLarge: 'A file is too large (at most {max}).',
	errorTooManyFiles: 'Too many files (at most {max} per message).',
	errorRateLimited: "You're sending messages too fast. Please wait a moment.",
	errorUnavailable: "The chat can't be reached right now. We'll keep trying.",
	errorOrigin: "The chat isn't available on this site.",
	errorGeneric: 'Something went wrong. Please try again.',
};

const ru: WidgetTexts = {
	title: 'Напишите нам',
	welcome: 'Здравствуйте! Чем мы можем помочь?',
	placeholder: 'Напишите сообщение…',
	offline: 'Сейчас мы не на связи. Оставьте сообщение, и мы ответим, когда вернёмся.',
	open: 'Открыть чат',
	close: 'Закрыть чат',
	send: 'Отправить',
	attach: 'Прикрепить файлы',
	removeFile: 'Убрать {name}',
	messages: 'Сообщения',
	you: 'Вы',
	agent: 'Поддержка',
	typing: 'Поддержка печатает…',
	sending: 'Отправка…',
	notSent: 'Не отправлено.',
	retry: 'Повторить',
	edited: 'изменено',
	unread: 'новых: {count}',
	contactIntro: 'Подскажите, как с вами связаться.',
	name: 'Имя',
	email: 'E-mail',
	start: 'Начать чат',
	skip: 'Пропустить',
	reconnecting: 'Подключаемся снова…',
	errorContact: 'Введите имя и правильный адрес e-mail.',
	errorEmail: 'Введите правильный адрес e-mail.',
	errorTextTooLong: 'Сообщение слишком длинное (не больше {max} символов).',
	errorFileTooLarge: 'Файл слишком большой (не больше {max}).',
	errorTooManyFiles: 'Слишком много файлов (не больше {max} в сообщении).',
	errorRateLimited: 'Вы отправляете сообщения слишком часто. Подождите немного.',
	errorUnavailable: 'Чат сейчас недоступен. Мы продолжаем попытки.',
	errorOrigin: 'Чат недоступен на этом сайте.',
	errorGeneric: 'Что-то пошло не так. Попробуйте ещё раз.',
};

const de: WidgetTexts = {
	title: 'Schreiben Sie uns',
	welcome: 'Hallo! Wie können wir helfen?',
	placeholder: 'Nachricht schreiben…',
	offline:
		'Wir sind gerade nicht erreichbar. Hinterlassen Sie eine Nachricht, wir antworten, sobald wir zurück sind.',
	open: 'Chat öffnen',
	close: 'Chat schließen',
	send: 'Senden',
	attach: 'Dateien anhängen',
	removeFile: '{name} entfernen',
	messages: 'Nachrichten',
	you: 'Sie',
	agent: 'Support',
	typing: 'Der Support schreibt…',
	sending: 'Wird gesendet…',
	notSent: 'Nicht gesendet.',
	retry: 'Erneut versuchen',
	edited: 'bearbeitet',
	unread: '{count} neu',
	contactIntro: 'Bitte sagen Sie uns, wie wir Sie erreichen.',
	name: 'Name',
	email: 'E-Mail',
	start: 'Chat beginnen',
	skip: 'Überspringen',
	reconnecting: 'Verbindung wird wiederhergestellt…',
	errorContact: 'Bitte geben Sie Ihren Namen und eine gültige E-Mail-Adresse ein.',
	errorEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
	errorTextTooLong: 'Die Nachricht ist zu lang (höchstens {max} Zeichen).',
	errorFileTooLarge: 'Eine Datei ist zu groß (höchstens {max}).',
	errorTooManyFiles: 'Zu viele Dateien (höchstens {max} pro Nachricht).',
	errorRateLimited: 'Sie senden zu schnell. Bitte warten Sie einen Moment.',
	errorUnavailable: 'Der Chat ist gerade nicht erreichbar. Wir versuchen es weiter.',
	errorOrigin: 'Der Chat ist auf dieser Seite nicht verfügbar.',
	errorGeneric: 'Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.',
};

const TEXTS: Record<Language, WidgetTexts> = { en, ru, de };

/** The texts of `language` with the trigger's overrides (empty ones ignored). */
export function textsOf(
	language: unknown,
	overrides: Partial<Record<string, unknown>>,
): WidgetTexts {
	const base = TEXTS[(language as Language) in TEXTS ? (language as Language) : 'en'];
	const texts = { ...base };
	for (const key of TEXT_KEYS) {
		const value = overrides[key];
		if (typeof value === 'string' && value.trim()) texts[key] = value;
	}
	return texts;
}
