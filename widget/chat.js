/*
 * TeamSpirit website chat widget (n8n-nodes-teamspirit). Served by the Chat Channel Trigger
 * (channel Website) as widget.js; embedded with <script src=".../widget.js" async></script>.
 * Plain ES2019, no dependencies. It talks only to the folder it was loaded from (the trigger's
 * webhook), with CORS simple requests (no custom headers), and never builds HTML from data:
 * every text goes through textContent, links are made by the DOM (http and https only).
 * Source of nodes/channels/website/widget/assets.ts (scripts/build-widget.mjs).
 */
(function () {
	'use strict';
	var doc = document;
	var script = doc.currentScript;
	if (!script || !script.src || window.TeamSpiritChat) return;

	var base = new URL('.', script.src).href;
	var storeKey = 'teamspirit-chat:' + base + ':';
	var HISTORY = 50;

	var DEFAULT_TEXTS = {
		title: 'Chat with us',
		welcome: 'Hi! How can we help you?',
		placeholder: 'Write a message\u2026',
		offline: "We're offline right now. Leave a message and we'll answer when we're back.",
		open: 'Open chat',
		close: 'Close chat',
		send: 'Send',
		attach: 'Attach files',
		removeFile: 'Remove {name}',
		messages: 'Messages',
		you: 'You',
		agent: 'Support',
		typing: 'Support is typing\u2026',
		sending: 'Sending\u2026',
		notSent: 'Not sent.',
		retry: 'Retry',
		edited: 'edited',
		unread: '{count} new',
		contactIntro: 'Please tell us how to reach you.',
		name: 'Name',
		email: 'E-mail',
		start: 'Start chat',
		skip: 'Skip',
		reconnecting: 'Reconnecting\u2026',
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

	var state = {
		token: load('token'),
		visitorId: load('visitor'),
		contact: null,
		config: {
			texts: DEFAULT_TEXTS,
			askContact: 'off',
			maxTextLength: 4000,
			maxFileSize: 10 * 1024 * 1024,
			maxFiles: 5,
			offline: false,
			position: 'right',
		},
		digest: '',
		shown: new Map(), // message id -> { msg, el }
		pending: new Map(), // clientId -> { clientId, text, files, el, state }
		files: [],
		open: false,
		hasHistory: false,
		offline: false,
		typing: false,
		seen: load('seen') || '',
		skipped: load('skipped') === '1',
		lastTypingSent: 0,
		stopped: false,
	};
	var ui = {};
	var bindings = [];
	var waker = null;
	var phone = window.matchMedia('(max-width: 480px)');

	// ---------------------------------------------------------------------------------------------
	// Small helpers

	function load(key) {
		try {
			return window.localStorage.getItem(storeKey + key);
		} catch (e) {
			return null; // storage blocked: the session lasts as long as the page
		}
	}
	function save(key, value) {
		try {
			if (value == null) window.localStorage.removeItem(storeKey + key);
			else window.localStorage.setItem(storeKey + key, value);
		} catch (e) {
			/* storage blocked: nothing to keep */
		}
	}
	function t(key, values) {
		var text = String(state.config.texts[key] || DEFAULT_TEXTS[key] || '');
		return text.replace(/\{(\w+)\}/g, function (all, name) {
			return values && values[name] != null ? String(values[name]) : all;
		});
	}
	function h(tag, attrs, kids) {
		var node = doc.createElement(tag);
		Object.keys(attrs || {}).forEach(function (key) {
			var value = attrs[key];
			if (value == null || value === false) return;
			if (key === 'text') node.textContent = value;
			else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
			else node.setAttribute(key, value === true ? '' : value);
		});
		(kids || []).forEach(function (kid) {
			if (kid) node.appendChild(kid);
		});
		return node;
	}
	/** Sets a text now and again whenever the configuration's texts change. */
	function bind(node, attr, key, values) {
		var apply = function () {
			var text = t(key, typeof values === 'function' ? values() : values);
			if (attr === 'text') node.textContent = text;
			else node.setAttribute(attr, text);
		};
		bindings.push(apply);
		apply();
		return node;
	}
	function icon(d) {
		var ns = 'http://www.w3.org/2000/svg';
		var svg = doc.createElementNS(ns, 'svg');
		svg.setAttribute('viewBox', '0 0 24 24');
		svg.setAttribute('aria-hidden', 'true');
		svg.setAttribute('focusable', 'false');
		var path = doc.createElementNS(ns, 'path');
		path.setAttribute('d', d);
		svg.appendChild(path);
		return svg;
	}
	function sleep(ms) {
		return new Promise(function (resolve) {
			setTimeout(resolve, ms);
		});
	}
	function backoff(attempt, retryAfter) {
		if (retryAfter > 0) return Math.min(retryAfter, 300) * 1000;
		return Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
	}
	function uuid() {
		if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
		var b = crypto.getRandomValues(new Uint8Array(16));
		b[6] = (b[6] & 15) | 64;
		b[8] = (b[8] & 63) | 128;
		var hex = Array.prototype.map.call(b, function (x) {
			return (x + 256).toString(16).slice(1);
		});
		return [0, 4, 6, 8, 10]
			.map(function (at, i, all) {
				return hex.slice(at, all[i + 1] || 16).join('');
			})
			.join('-');
	}
	function formatSize(bytes) {
		if (bytes >= 1048576) return Math.round((bytes / 1048576) * 10) / 10 + ' MB';
		if (bytes >= 1024) return Math.round(bytes / 1024) + ' KB';
		return bytes + ' B';
	}

	// ---------------------------------------------------------------------------------------------
	// The API (the trigger's webhooks; every request a CORS simple request)

	function ApiError(status, code, retryAfter) {
		this.status = status;
		this.code = code || (status ? 'http_' + status : 'network');
		this.retryAfter = retryAfter;
	}
	/** Worth another try: no answer, too fast, the server's trouble, or n8n (re)starting (404). */
	function retryable(error) {
		var s = error.status;
		return s === 0 || s === 404 || s === 429 || s >= 500;
	}
	function api(method, path, body) {
		var init = { method: method, mode: 'cors', credentials: 'omit', cache: 'no-store' };
		if (body instanceof FormData) init.body = body;
		else if (body) {
			init.body = JSON.stringify(body);
			init.headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
		}
		return fetch(base + path, init).then(
			function (res) {
				if (res.status === 204) return null;
				return res
					.json()
					.catch(function () {
						return null;
					})
					.then(function (data) {
						if (res.ok && data) return data;
						var e = (data && data.error) || {};
						var after = e.retryAfter || Number(res.headers.get('Retry-After')) || 0;
						throw new ApiError(res.status, e.code, after);
					});
			},
			function () {
				throw new ApiError(0);
			},
		);
	}
	function query(params) {
		return Object.keys(params)
			.map(function (key) {
				return key + '=' + encodeURIComponent(params[key]);
			})
			.join('&');
	}
	function fileUrl(file) {
		return base + 'files?' + query({ token: state.token, id: file.id });
	}
	function errorText(error) {
		var c = state.config;
		switch (error.code) {
			case 'text_too_long':
				return t('errorTextTooLong', { max: c.maxTextLength });
			case 'file_too_large':
				return t('errorFileTooLarge', { max: formatSize(c.maxFileSize) });
			case 'too_many_files':
				return t('errorTooManyFiles', { max: c.maxFiles });
			case 'rate_limited':
				return t('errorRateLimited');
			case 'origin_not_allowed':
				return t('errorOrigin');
			case 'unavailable':
			case 'network':
				return t('errorUnavailable');
			default:
				return error.status >= 500 ? t('errorUnavailable') : t('errorGeneric');
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Session

	var sessionRequest = null;
	/** POST session: the stored token's session (a new one when it is missing or invalid). */
	function startSession(contact) {
		var body = Object.assign({}, contact || {});
		if (state.token) body.token = state.token;
		return api('POST', 'session', body).then(function (s) {
			// a fresh token every time; another visitor only when the old token was refused
			if (state.visitorId && s.visitorId !== state.visitorId) forgetTranscript();
			state.visitorId = s.visitorId;
			save('visitor', s.visitorId);
			state.token = s.token;
			save('token', s.token);
			state.contact = s.contact || null;
			applyConfig(s.config || {});
			return s;
		});
	}
	/** This site is not among the trigger's Allowed Origins: stop for good, launcher and all. */
	function refusedOrigin(error) {
		if (!error || error.code !== 'origin_not_allowed') return false;
		state.stopped = true;
		wake();
		if (ui.host) ui.host.remove();
		return true;
	}
	/** A session, retried while the server cannot be reached. */
	function ensureSession() {
		if (!sessionRequest) {
			sessionRequest = (function attempt(n) {
				return startSession().catch(function (error) {
					if (!retryable(error)) throw error;
					return sleep(backoff(n, error.retryAfter)).then(function () {
						return attempt(n + 1);
					});
				});
			})(0);
			sessionRequest.catch(function (error) {
				sessionRequest = null;
				if (!refusedOrigin(error)) showError(errorText(error));
			});
		}
		return sessionRequest;
	}
	/** The server said the token is no longer valid: a new session. */
	function renewSession() {
		forgetTranscript();
		state.token = null;
		save('token', null);
		sessionRequest = null;
		return ensureSession();
	}
	function forgetTranscript() {
		state.shown.forEach(function (entry) {
			entry.el.remove();
		});
		state.shown.clear();
		state.digest = '';
		state.hasHistory = false;
		state.seen = '';
		save('seen', null);
	}
	function applyConfig(config) {
		var c = state.config;
		var texts = Object.assign({}, DEFAULT_TEXTS);
		Object.keys(config.texts || {}).forEach(function (key) {
			if (typeof config.texts[key] === 'string' && config.texts[key])
				texts[key] = config.texts[key];
		});
		c.texts = texts;
		['maxTextLength', 'maxFileSize', 'maxFiles'].forEach(function (key) {
			if (config[key] > 0) c[key] = config[key];
		});
		if (/^(off|optional|required)$/.test(config.askContact)) c.askContact = config.askContact;
		c.position = config.position === 'left' ? 'left' : 'right';
		c.offline = !!config.offline;
		if (ui.host) {
			if (typeof config.accentColor === 'string' && config.accentColor) {
				ui.host.style.setProperty('--ts-accent', config.accentColor);
				ui.host.style.setProperty('--ts-on-accent', onAccent(config.accentColor));
			}
			ui.root.className = 'ts ts-' + c.position;
			bindings.forEach(function (apply) {
				apply();
			});
			setOffline(c.offline || state.offline);
			showContactForm();
		}
	}
	/** Black or white text on the accent colour, whichever reads better (#rgb / #rrggbb). */
	function onAccent(color) {
		var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
		if (!m) return '#fff';
		var hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
		var rgb = [0, 2, 4].map(function (i) {
			var v = parseInt(hex.substr(i, 2), 16) / 255;
			return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
		});
		var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
		return luminance > 0.4 ? '#111' : '#fff';
	}

	// ---------------------------------------------------------------------------------------------
	// Reading messages: the history at once, then a long poll while it is worth it

	function wake() {
		if (waker) waker();
		waker = null;
	}
	function idle() {
		return new Promise(function (resolve) {
			waker = resolve;
		});
	}
	/** Polls while the page is visible and the visitor has a conversation or the panel is open. */
	function pollLoop() {
		var failures = 0;
		var step = function () {
			if (state.stopped) return undefined;
			if (doc.hidden || !state.token || (!state.open && !state.hasHistory && state.digest)) {
				return idle().then(step);
			}
			var params = { token: state.token, since: state.digest };
			if (state.digest) params.wait = 1;
			return api('GET', 'messages?' + query(params))
				.then(function (data) {
					failures = 0;
					setConnection(true);
					applyMessages(data);
				})
				.catch(function (error) {
					if (!(error instanceof ApiError) && window.console) console.error(error);
					if (error.status === 401) return renewSession();
					if (refusedOrigin(error)) return undefined;
					if (error.status === 403) {
						state.stopped = true;
						showError(errorText(error));
						return undefined;
					}
					failures++;
					if (failures > 1) setConnection(false);
					return sleep(backoff(failures, error.retryAfter));
				})
				.then(step);
		};
		return step();
	}
	function applyMessages(data) {
		var list = (data && data.messages) || [];
		state.digest = data.digest || '0';
		state.typing = !!data.typing;
		setOffline(!!data.offline || state.config.offline);
		if (list.length) state.hasHistory = true;
		var log = ui.log;
		var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
		var ids = new Set();
		list.forEach(function (msg) {
			ids.add(msg.id);
			upsert(msg);
		});
		// A message missing from the window was deleted (older ones only left the window).
		var oldest = list.length ? list[0].at : '';
		state.shown.forEach(function (entry, id) {
			if (ids.has(id) || (list.length >= HISTORY && entry.msg.at < oldest)) return;
			entry.el.remove();
			state.shown.delete(id);
		});
		ui.typing.hidden = !state.typing;
		if (atBottom) log.scrollTop = log.scrollHeight;
		updateUnread();
		showContactForm();
	}
	function upsert(msg) {
		var entry = state.shown.get(msg.id);
		if (entry) {
			if (entry.msg.text !== msg.text || entry.msg.editedAt !== msg.editedAt) {
				var fresh = messageEl(msg);
				entry.el.replaceWith(fresh);
				state.shown.set(msg.id, { msg: msg, el: fresh });
			}
			return;
		}
		var el = messageEl(msg);
		var mine = msg.clientId && state.pending.get(msg.clientId);
		if (mine) {
			mine.el.replaceWith(el);
			state.pending.delete(msg.clientId);
		} else {
			var first = firstPending();
			ui.log.insertBefore(el, first ? first.el : null);
		}
		state.shown.set(msg.id, { msg: msg, el: el });
	}
	function firstPending() {
		var first = null;
		state.pending.forEach(function (item) {
			if (!first) first = item;
		});
		return first;
	}
	function updateUnread() {
		var visible = state.open && !doc.hidden;
		var count = 0;
		var newest = state.seen;
		state.shown.forEach(function (entry) {
			if (entry.msg.at > newest) newest = entry.msg.at;
			if (entry.msg.from !== 'visitor' && entry.msg.at > state.seen) count++;
		});
		if (visible && newest !== state.seen) {
			state.seen = newest;
			save('seen', newest);
			count = 0;
		}
		state.unread = visible ? 0 : count;
		ui.badge.textContent = state.unread ? String(state.unread) : '';
		ui.badge.hidden = !state.unread;
		bindings.forEach(function (apply) {
			if (apply.launcher) apply();
		});
	}

	// ---------------------------------------------------------------------------------------------
	// Messages on screen

	function messageEl(msg) {
		var mine = msg.from === 'visitor';
		var node = h('div', { class: 'msg ' + (mine ? 'mine' : 'theirs'), 'data-id': msg.id }, [
			h('span', { class: 'sr', text: (mine ? t('you') : t('agent')) + ': ' }),
		]);
		if (msg.text) node.appendChild(textEl(msg.text));
		(msg.files || []).forEach(function (file) {
			node.appendChild(fileEl(file));
		});
		var meta = h('span', { class: 'meta' });
		var at = new Date(msg.at);
		if (!isNaN(at)) {
			meta.appendChild(
				h('time', {
					datetime: msg.at,
					text: at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
				}),
			);
		}
		if (msg.editedAt) meta.appendChild(h('span', { text: ' \u00b7 ' + t('edited') }));
		node.appendChild(meta);
		return node;
	}
	/** The text with its web addresses as links, built by the DOM (http and https only). */
	function textEl(text) {
		var node = h('p', { class: 'text' });
		var re = /\bhttps?:\/\/[^\s<>"']+/gi;
		var last = 0;
		var m;
		while ((m = re.exec(text))) {
			var url = m[0].replace(/[.,;:!?)\]]+$/, '');
			var link = safeLink(url);
			if (!link) continue;
			node.appendChild(doc.createTextNode(text.slice(last, m.index)));
			node.appendChild(link);
			last = m.index + url.length;
			re.lastIndex = last;
		}
		node.appendChild(doc.createTextNode(text.slice(last)));
		return node;
	}
	function safeLink(url) {
		try {
			var parsed = new URL(url);
			if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
			return h('a', {
				href: parsed.href,
				target: '_blank',
				rel: 'noopener noreferrer nofollow',
				text: url,
			});
		} catch (e) {
			return null;
		}
	}
	function fileEl(file) {
		var url = fileUrl(file);
		var link = h(
			'a',
			{ class: 'file', href: url, download: file.name || 'file', rel: 'noopener' },
			[
				h('span', { class: 'file-name', text: file.name || 'file' }),
				h('span', {
					class: 'file-size',
					text: file.size ? ' (' + formatSize(file.size) + ')' : '',
				}),
			],
		);
		if (/^image\/(png|jpeg|gif|webp)$/.test(file.mimeType || '')) {
			link.insertBefore(h('img', { src: url, alt: '', loading: 'lazy' }), link.firstChild);
		}
		return link;
	}
	function pendingEl(item) {
		var node = h('div', { class: 'msg mine pending', 'aria-busy': 'true' }, [
			h('span', { class: 'sr', text: t('you') + ': ' }),
		]);
		if (item.text) node.appendChild(textEl(item.text));
		item.files.forEach(function (file) {
			node.appendChild(
				h('span', { class: 'file', text: file.name + ' (' + formatSize(file.size) + ')' }),
			);
		});
		item.status = h('span', { class: 'meta', text: t('sending') });
		node.appendChild(item.status);
		return node;
	}
	function markFailed(item, error) {
		item.el.classList.add('failed');
		item.el.removeAttribute('aria-busy');
		item.status.textContent = t('notSent') + ' ' + errorText(error) + ' ';
		item.status.appendChild(
			h('button', {
				type: 'button',
				class: 'link',
				text: t('retry'),
				onclick: function () {
					item.el.classList.remove('failed');
					item.el.setAttribute('aria-busy', 'true');
					item.status.textContent = t('sending');
					deliver(item);
				},
			}),
		);
	}

	// ---------------------------------------------------------------------------------------------
	// Sending

	function send() {
		var text = ui.input.value.trim();
		var files = state.files.slice();
		if (!text && !files.length) return;
		clearError();
		if (text.length > state.config.maxTextLength) {
			showError(t('errorTextTooLong', { max: state.config.maxTextLength }));
			return;
		}
		if (needsContact()) {
			showContactForm();
			return;
		}
		var item = { clientId: uuid(), text: text, files: files, tries: 0 };
		item.el = pendingEl(item);
		state.pending.set(item.clientId, item);
		ui.log.appendChild(item.el);
		ui.log.scrollTop = ui.log.scrollHeight;
		ui.input.value = '';
		autoGrow();
		state.files = [];
		renderChosen();
		deliver(item);
	}
	/** POST messages until stored: the same clientId every time, so a retry is the same message. */
	function deliver(item) {
		var body = function () {
			if (!item.files.length)
				return { token: state.token, clientId: item.clientId, text: item.text };
			var form = new FormData();
			form.append('token', state.token);
			form.append('clientId', item.clientId);
			form.append('text', item.text);
			item.files.forEach(function (file) {
				form.append('file', file, file.name);
			});
			return form;
		};
		var attempt = function () {
			if (!state.pending.has(item.clientId)) return undefined; // already shown as stored
			return ensureSession()
				.then(function () {
					return api('POST', 'messages', body());
				})
				.then(
					function () {
						state.hasHistory = true;
						if (state.pending.has(item.clientId)) item.status.textContent = t('sending');
						wake();
					},
					function (error) {
						if (refusedOrigin(error)) return undefined;
						if (error.status === 401 && item.tries++ < 3) return renewSession().then(attempt);
						if (error.status === 429) showError(errorText(error));
						if (!retryable(error)) return giveBack(item, error);
						if (item.tries++ < 8) return sleep(backoff(item.tries, error.retryAfter)).then(attempt);
						markFailed(item, error);
						return undefined;
					},
				);
		};
		item.tries = 0;
		return attempt();
	}
	/** Refused for good (too long, too large...): back into the composer, with the reason. */
	function giveBack(item, error) {
		item.el.remove();
		state.pending.delete(item.clientId);
		if (!ui.input.value) ui.input.value = item.text;
		if (!state.files.length) state.files = item.files;
		renderChosen();
		autoGrow();
		showError(errorText(error));
	}
	function sendTyping() {
		var now = Date.now();
		if (!state.token || !state.hasHistory || !ui.input.value || now - state.lastTypingSent < 3000)
			return;
		state.lastTypingSent = now;
		api('POST', 'typing', { token: state.token }).catch(function () {
			/* typing is a hint: a lost one is not worth a retry */
		});
	}
	function chooseFiles(list) {
		var c = state.config;
		clearError();
		Array.prototype.forEach.call(list, function (file) {
			if (file.size > c.maxFileSize) {
				showError(file.name + ': ' + t('errorFileTooLarge', { max: formatSize(c.maxFileSize) }));
			} else if (state.files.length >= c.maxFiles) {
				showError(t('errorTooManyFiles', { max: c.maxFiles }));
			} else {
				state.files.push(file);
			}
		});
		ui.fileInput.value = '';
		renderChosen();
	}
	function renderChosen() {
		ui.chosen.textContent = '';
		state.files.forEach(function (file, index) {
			ui.chosen.appendChild(
				h('li', { class: 'chip' }, [
					h('span', { text: file.name + ' (' + formatSize(file.size) + ')' }),
					h(
						'button',
						{
							type: 'button',
							'aria-label': t('removeFile', { name: file.name }),
							onclick: function () {
								state.files.splice(index, 1);
								renderChosen();
								ui.attach.focus();
							},
						},
						[icon('M6 6l12 12M18 6L6 18')],
					),
				]),
			);
		});
		ui.chosen.hidden = !state.files.length;
	}

	// ---------------------------------------------------------------------------------------------
	// Contact form

	function needsContact() {
		var ask = state.config.askContact;
		if (state.contact) return false;
		if (ask === 'required') return true;
		return ask === 'optional' && !state.skipped && !state.hasHistory;
	}
	function showContactForm() {
		if (!ui.contact) return;
		var show = needsContact();
		var wasShown = !ui.contact.hidden;
		ui.contact.hidden = !show;
		ui.composer.hidden = show;
		ui.skip.hidden = state.config.askContact !== 'optional';
		if (show !== wasShown && state.open) focusFirst();
	}
	function submitContact(event) {
		event.preventDefault();
		var name = ui.name.value.trim();
		var email = ui.email.value.trim();
		var emailOk = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
		if (state.config.askContact === 'required' && (!name || !emailOk)) {
			return showError(t('errorContact'));
		}
		if (email && !emailOk) return showError(t('errorEmail'));
		clearError();
		ui.startButton.disabled = true;
		return ensureSession()
			.then(function () {
				return startSession({ name: name, email: email });
			})
			.then(
				function () {
					if (!state.contact && (name || email)) state.contact = { name: name, email: email };
					showContactForm();
				},
				function (error) {
					showError(errorText(error));
				},
			)
			.then(function () {
				ui.startButton.disabled = false;
			});
	}

	// ---------------------------------------------------------------------------------------------
	// Status lines

	function showError(text) {
		ui.error.textContent = text;
		ui.error.hidden = !text;
	}
	function clearError() {
		showError('');
	}
	function setOffline(offline) {
		state.offline = offline;
		if (ui.offline) ui.offline.hidden = !offline;
	}
	function setConnection(ok) {
		ui.connection.hidden = ok;
	}

	// ---------------------------------------------------------------------------------------------
	// Open, close, keyboard

	function setOpen(open) {
		if (open === state.open) return;
		state.open = open;
		ui.panel.hidden = !open;
		ui.launcher.setAttribute('aria-expanded', String(open));
		ui.root.classList.toggle('ts-open', open);
		if (open) {
			ensureSession().catch(function () {
				/* shown in the panel by ensureSession */
			});
			wake();
			updateUnread();
			ui.log.scrollTop = ui.log.scrollHeight;
			focusFirst();
		} else {
			ui.launcher.focus();
		}
	}
	function focusFirst() {
		var target = ui.contact.hidden ? ui.input : ui.name;
		target.focus();
	}
	function autoGrow() {
		ui.input.style.height = 'auto';
		ui.input.style.height = Math.min(ui.input.scrollHeight, 140) + 'px';
	}
	function onKey(event) {
		if (event.key === 'Escape' && state.open) {
			event.stopPropagation();
			setOpen(false);
		} else if (event.key === 'Tab' && state.open && phone.matches) {
			trapFocus(event);
		}
	}
	/** At phone width the panel covers the page: Tab cycles inside it. */
	function trapFocus(event) {
		var all = ui.panel.querySelectorAll(
			'button, textarea, input:not([type=file]), a[href], [tabindex="0"]',
		);
		var usable = Array.prototype.filter.call(all, function (node) {
			return !node.disabled && node.getClientRects().length > 0;
		});
		var first = usable[0];
		var last = usable[usable.length - 1];
		var active = ui.root.getRootNode().activeElement;
		if (event.shiftKey ? active === first : active === last) {
			event.preventDefault();
			(event.shiftKey ? last : first).focus();
		}
	}
	function onInputKey(event) {
		if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
			event.preventDefault();
			send();
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Building the widget

	function build() {
		var host = h('div', { id: 'teamspirit-chat' });
		host.style.setProperty('display', 'none', 'important'); // until the stylesheet is in
		var shadow = host.attachShadow({ mode: 'open' });
		var sheet = h('link', { rel: 'stylesheet', href: base + 'widget.css' });
		shadow.appendChild(sheet);
		ui.host = host;
		ui.root = h('div', { class: 'ts ts-' + state.config.position });
		ui.root.addEventListener('keydown', onKey);
		ui.badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true });
		ui.launcher = h(
			'button',
			{ type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'ts-panel' },
			[icon('M6 4h12a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4V6a2 2 0 0 1 2-2z'), ui.badge],
		);
		ui.launcher.addEventListener('click', function () {
			setOpen(!state.open);
		});
		var launcherLabel = function () {
			var label = t('open') + (state.unread ? ', ' + t('unread', { count: state.unread }) : '');
			ui.launcher.setAttribute('aria-label', label);
			ui.launcher.title = label;
		};
		launcherLabel.launcher = true;
		bindings.push(launcherLabel);
		ui.panel = buildPanel();
		ui.root.appendChild(ui.panel);
		ui.root.appendChild(ui.launcher);
		shadow.appendChild(ui.root);
		doc.body.appendChild(host);
		bindings.forEach(function (apply) {
			apply();
		});
		return new Promise(function (resolve) {
			sheet.addEventListener('load', resolve);
			sheet.addEventListener('error', resolve);
		});
	}
	function buildPanel() {
		var title = bind(h('h2', { id: 'ts-title' }), 'text', 'title');
		var close = bind(
			h('button', { type: 'button', class: 'close' }, [icon('M6 6l12 12M18 6L6 18')]),
			'aria-label',
			'close',
		);
		close.addEventListener('click', function () {
			setOpen(false);
		});
		ui.offline = bind(h('p', { class: 'banner', role: 'status', hidden: true }), 'text', 'offline');
		ui.connection = bind(
			h('p', { class: 'banner warn', role: 'status', hidden: true }),
			'text',
			'reconnecting',
		);
		ui.log = bind(
			h('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' }),
			'aria-label',
			'messages',
		);
		ui.log.appendChild(
			h('div', { class: 'msg theirs welcome' }, [
				bind(h('p', { class: 'text' }), 'text', 'welcome'),
			]),
		);
		ui.typing = h('p', { class: 'typing', hidden: true }, [
			h('span', { class: 'dots', 'aria-hidden': 'true' }, [h('i'), h('i'), h('i')]),
			bind(h('span'), 'text', 'typing'),
		]);
		ui.error = h('p', { class: 'error', role: 'alert', hidden: true });
		return h(
			'section',
			{
				id: 'ts-panel',
				class: 'panel',
				role: 'dialog',
				'aria-labelledby': 'ts-title',
				hidden: true,
			},
			[
				h('header', null, [title, close]),
				ui.offline,
				ui.connection,
				ui.log,
				h('div', { role: 'status', class: 'typing-line' }, [ui.typing]),
				ui.error,
				buildContactForm(),
				buildComposer(),
			],
		);
	}
	/** A labelled input; maxLength is what the server takes (session.ts: name 200, e-mail 254). */
	function field(id, type, key, autocomplete, value, maxLength) {
		var input = h('input', {
			id: id,
			type: type,
			autocomplete: autocomplete,
			maxlength: String(maxLength),
			value: value || null,
		});
		return [bind(h('label', { for: id }), 'text', key), input];
	}
	function buildContactForm() {
		var name = field('ts-name', 'text', 'name', 'name', script.getAttribute('data-name'), 200);
		var email = field('ts-email', 'email', 'email', 'email', script.getAttribute('data-email'), 254);
		ui.name = name[1];
		ui.email = email[1];
		ui.startButton = bind(h('button', { type: 'submit', class: 'primary' }), 'text', 'start');
		ui.skip = bind(h('button', { type: 'button', class: 'link' }), 'text', 'skip');
		ui.skip.addEventListener('click', function () {
			state.skipped = true;
			save('skipped', '1');
			showContactForm();
		});
		ui.contact = h(
			'form',
			{ class: 'contact', hidden: true, novalidate: true, onsubmit: submitContact },
			[
				bind(h('p'), 'text', 'contactIntro'),
				name[0],
				name[1],
				email[0],
				email[1],
				h('div', { class: 'row' }, [ui.startButton, ui.skip]),
			],
		);
		return ui.contact;
	}
	function buildComposer() {
		ui.input = bind(h('textarea', { id: 'ts-input', rows: '1' }), 'placeholder', 'placeholder');
		ui.input.addEventListener('keydown', onInputKey);
		ui.input.addEventListener('input', function () {
			autoGrow();
			sendTyping();
		});
		ui.fileInput = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1' });
		ui.fileInput.addEventListener('change', function () {
			chooseFiles(ui.fileInput.files);
		});
		ui.attach = bind(
			h('button', { type: 'button', class: 'icon' }, [
				icon(
					'M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.4 3.4 0 0 1 4.8 4.8L10 17a1.7 1.7 0 0 1-2.4-2.4L15 7.2',
				),
			]),
			'aria-label',
			'attach',
		);
		ui.attach.addEventListener('click', function () {
			ui.fileInput.click();
		});
		var sendButton = bind(
			h('button', { type: 'submit', class: 'icon send' }, [icon('M3 20l18-8L3 4v6l12 2-12 2z')]),
			'aria-label',
			'send',
		);
		ui.chosen = h('ul', { class: 'chosen', hidden: true });
		ui.composer = h(
			'form',
			{
				class: 'composer',
				onsubmit: function (event) {
					event.preventDefault();
					send();
				},
			},
			[
				ui.chosen,
				h('div', { class: 'row' }, [
					bind(h('label', { for: 'ts-input', class: 'sr' }), 'text', 'placeholder'),
					ui.input,
					ui.fileInput,
					ui.attach,
					sendButton,
				]),
			],
		);
		return ui.composer;
	}

	function start() {
		var styled = build();
		var show = function () {
			return styled.then(function () {
				ui.host.style.removeProperty('display');
			});
		};
		window.TeamSpiritChat = {
			open: function () {
				setOpen(true);
			},
			close: function () {
				setOpen(false);
			},
		};
		doc.addEventListener('visibilitychange', function () {
			wake();
			if (!doc.hidden) updateUnread();
		});
		// One try first: the launcher shows with the configured texts, or with the defaults when the
		// server cannot be reached (then the session is retried in the background).
		sessionRequest = startSession();
		sessionRequest
			.catch(function (error) {
				sessionRequest = null;
				// a workflow that is not published (404) shows no launcher
				if (!retryable(error) || error.status === 404) throw error;
				show();
				return ensureSession();
			})
			.then(function () {
				show();
				return pollLoop();
			})
			.catch(function (error) {
				// e.g. this site is not among the trigger's Allowed Origins: no launcher at all
				refusedOrigin(error);
				if (window.console) console.warn('TeamSpirit chat:', error.code);
			});
	}

	if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
	else start();
})();
