// The playground page (served by scripts/sandbox/playground.ts): plain DOM, no framework, no
// request anywhere but its own server. It polls /api/state once a second and redraws what changed.
'use strict';

const $ = (id) => document.getElementById(id);
const view = { channel: 'telegram', customer: {}, chat: undefined, mode: undefined, state: undefined, last: '' };
const CHANNELS = { telegram: 'Telegram', whatsapp: 'WhatsApp', messenger: 'Messenger' };

function el(tag, attrs = {}, ...children) {
	const node = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'class') node.className = v;
		else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
		else node.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c);
	return node;
}

function showError(message) {
	const box = $('error');
	box.textContent = message;
	box.hidden = !message;
	if (message) setTimeout(() => (box.hidden = true), 6000);
}

async function api(path, body) {
	const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const json = await res.json().catch(() => ({}));
	if (!res.ok) throw new Error(json.error || `${res.status}`);
	return json;
}

function readFile(input) {
	const file = input.files && input.files[0];
	if (!file) return Promise.resolve(undefined);
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve({ name: file.name, mimeType: file.type || 'application/octet-stream', base64: String(reader.result).split(',')[1] || '' });
		reader.onerror = () => reject(reader.error);
		reader.readAsDataURL(file);
	});
}

// ----- pieces of a message ---------------------------------------------------------------------

function files(list) {
	return list.map((f) =>
		f.mimeType.startsWith('image/')
			? el('a', { href: f.url, target: '_blank', rel: 'noopener', class: 'image' }, el('img', { src: f.url, alt: f.name }))
			: el('a', { href: f.url, download: f.name, class: 'file' }, `File: ${f.name}`),
	);
}

function stepOf(id) {
	return id && view.state ? view.state.steps.find((s) => s.id === id) : undefined;
}

/** "n8n execution #12 (success)", linked; or where the step stands. */
function execution(step) {
	if (!step) return undefined;
	if (step.url) return el('a', { class: `exec ${step.status === 'success' ? '' : 'error'}`, href: step.url, target: '_blank', rel: 'noopener', 'data-execution': step.executionId }, `n8n execution #${step.executionId} (${step.status})`);
	if (step.error) return el('span', { class: 'exec error' }, step.error);
	return el('span', { class: 'exec' }, 'waiting for n8n…');
}

function time(at) {
	return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// ----- the customer's phone ----------------------------------------------------------------------

function customersOf(channel) {
	return view.state ? view.state.customers.filter((c) => c.channel === channel) : [];
}

function currentCustomer() {
	const list = customersOf(view.channel);
	return list.find((c) => c.id === view.customer[view.channel]) || list[0];
}

function renderPhone() {
	for (const b of document.querySelectorAll('.channel')) b.setAttribute('aria-pressed', String(b.dataset.channel === view.channel));
	const select = $('customer');
	const list = customersOf(view.channel);
	const current = currentCustomer();
	const options = list.map((c) => el('option', { value: c.id, selected: current && c.id === current.id }, `${c.name} (${c.id})`));
	if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== list[i].id)) select.replaceChildren(...options);
	if (current) select.value = current.id;
	const thread = $('phone-thread');
	const items = (current ? current.phone : []).map((m) => {
		const mine = m.side === 'customer';
		const note = [m.edited ? 'edited' : '', m.deleted ? 'deleted by the sender' : '', m.replyTo ? 'a reply' : '', m.status && m.status !== 'queued' ? m.status : ''].filter(Boolean).join(' · ');
		return el(
			'li',
			{ class: `msg ${mine ? 'mine' : 'bot'} ${m.deleted ? 'deleted' : ''}`, 'data-side': m.side },
			mine ? undefined : el('span', { class: 'sender' }, 'Bot'),
			m.text ? el('span', { class: 'text' }, m.text) : undefined,
			files(m.files),
			el('span', { class: 'meta' }, `${time(m.at)}${note ? ` · ${note}` : ''} `, mine ? execution(stepOf(m.step)) : undefined),
		);
	});
	replaceThread(thread, items);
}

// ----- TeamSpirit ---------------------------------------------------------------------------------

function currentChat() {
	const chats = view.state ? view.state.chats : [];
	return chats.find((c) => c.id === view.chat);
}

function renderTeamSpirit() {
	const chats = view.state.chats;
	$('operator').textContent = `· signed in as ${view.state.operator.name}`;
	if (!currentChat()) {
		const customer = currentCustomer();
		const own = customer && chats.find((c) => c.customer === customer.key);
		view.chat = (own || chats[0] || {}).id;
	}
	$('no-chats').hidden = chats.length > 0;
	$('chat-list').replaceChildren(
		...chats.map((c) =>
			el('li', {}, el('button', { type: 'button', 'aria-current': String(c.id === view.chat), 'data-chat': c.id, onclick: () => selectChat(c.id) }, c.title)),
		),
	);
	const chat = currentChat();
	const items = (chat ? chat.messages : []).map((m) => {
		const mine = m.from === 'operator';
		const actions = [el('button', { type: 'button', onclick: () => setMode({ kind: 'reply', message: m }) }, 'Reply')];
		if (mine) {
			actions.push(el('button', { type: 'button', onclick: () => setMode({ kind: 'edit', message: m }) }, 'Edit'));
			actions.push(el('button', { type: 'button', onclick: () => remove(m) }, 'Delete'));
		}
		return el(
			'li',
			{ class: `msg ${mine ? 'mine' : ''} ${m.from === 'notice' ? 'notice' : ''}`, 'data-from': m.from, 'data-id': m.id },
			el('span', { class: 'sender' }, m.from === 'customer' ? `${m.sender} (customer)` : m.from === 'notice' ? 'Notice from n8n' : m.sender),
			m.replyTo ? el('span', { class: 'quote' }, m.replyTo.text || '…') : undefined,
			m.text ? el('span', { class: 'text' }, m.text) : undefined,
			files(m.files),
			el('span', { class: 'meta' }, `${time(m.at)}${m.editedAt ? ' · edited' : ''} `, execution(stepOf(m.step))),
			el('span', { class: 'actions' }, actions),
		);
	});
	replaceThread($('chat-thread'), items);
}

function selectChat(id) {
	view.chat = id;
	setMode(undefined);
	render(true);
}

function setMode(mode) {
	view.mode = mode;
	const box = $('chat-mode');
	box.hidden = !mode;
	if (mode) {
		const what = mode.message.text || mode.message.files.map((f) => f.name).join(', ');
		$('chat-mode-text').textContent = `${mode.kind === 'edit' ? 'Editing' : 'Replying to'}: “${what.slice(0, 80)}”`;
		if (mode.kind === 'edit') $('chat-text').value = mode.message.text;
		$('chat-send').textContent = mode.kind === 'edit' ? 'Save' : 'Send';
		$('chat-text').focus();
	} else {
		$('chat-send').textContent = 'Send';
	}
}

async function remove(message) {
	try {
		await api('/api/operator/delete', { messageId: message.id });
		await refresh();
	} catch (error) {
		showError(`Delete: ${error.message}`);
	}
}

// ----- drawing -------------------------------------------------------------------------------------

/** Redraws a thread, staying at the bottom when the reader was there. */
function replaceThread(thread, items) {
	const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
	const focused = document.activeElement && thread.contains(document.activeElement) ? document.activeElement.textContent : undefined;
	thread.replaceChildren(...items);
	if (atBottom) thread.scrollTop = thread.scrollHeight;
	if (focused) {
		const again = [...thread.querySelectorAll('button, a')].find((b) => b.textContent === focused);
		if (again) again.focus();
	}
}

function renderSteps() {
	$('step-list').replaceChildren(
		...[...view.state.steps].reverse().map((s) => el('li', { 'data-step': s.id }, `${time(s.at)} ${s.label}: `, execution(s))),
	);
}

function render(force) {
	if (!view.state) return;
	const text = JSON.stringify(view.state);
	if (!force && text === view.last) return;
	view.last = text;
	$('n8n-link').href = view.state.n8n.url;
	$('n8n-link').textContent = `n8n (${view.state.n8n.url})`;
	$('owner').textContent = view.state.n8n.owner;
	renderPhone();
	renderTeamSpirit();
	renderSteps();
}

async function refresh() {
	try {
		view.state = await api('/api/state');
		render(false);
	} catch (error) {
		showError(`The sandbox does not answer (${error.message}): is npm run dev still running?`);
	}
}

// ----- forms ---------------------------------------------------------------------------------------

function attachedName(input, label) {
	input.addEventListener('change', () => {
		const file = input.files && input.files[0];
		label.hidden = !file;
		label.textContent = file ? `Attached: ${file.name}` : '';
	});
}

function busy(form, on) {
	for (const b of form.querySelectorAll('button, input')) b.disabled = on;
}

$('phone-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	const customer = currentCustomer();
	if (!customer) return;
	busy(form, true);
	try {
		const file = await readFile($('phone-file'));
		await api('/api/customer/send', { channel: view.channel, customerId: customer.id, text: $('phone-text').value, file });
		$('phone-text').value = '';
		$('phone-file').value = '';
		$('phone-attached').hidden = true;
		await refresh();
	} catch (error) {
		showError(`Send: ${error.message}`);
	} finally {
		busy(form, false);
		$('phone-text').focus();
	}
});

$('chat-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	if (!view.chat) return showError('No conversation yet: write as a customer first.');
	busy(form, true);
	try {
		const text = $('chat-text').value;
		if (view.mode && view.mode.kind === 'edit') {
			await api('/api/operator/edit', { messageId: view.mode.message.id, text });
		} else {
			const file = await readFile($('chat-file'));
			await api('/api/operator/send', { chatId: view.chat, text, file, replyToId: view.mode ? view.mode.message.id : undefined });
		}
		$('chat-text').value = '';
		$('chat-file').value = '';
		$('chat-attached').hidden = true;
		setMode(undefined);
		await refresh();
	} catch (error) {
		showError(`Send: ${error.message}`);
	} finally {
		busy(form, false);
		$('chat-text').focus();
	}
});

$('chat-mode-cancel').addEventListener('click', () => {
	if (view.mode && view.mode.kind === 'edit') $('chat-text').value = '';
	setMode(undefined);
});

for (const button of document.querySelectorAll('.channel')) {
	button.addEventListener('click', () => {
		view.channel = button.dataset.channel;
		view.chat = undefined;
		render(true);
	});
}

$('customer').addEventListener('change', (event) => {
	view.customer[view.channel] = event.target.value;
	view.chat = undefined;
	render(true);
});

$('new-customer').addEventListener('click', async () => {
	const name = prompt(`Name of the new ${CHANNELS[view.channel]} customer`, '');
	if (!name) return;
	try {
		const customer = await api('/api/customers', { channel: view.channel, name });
		view.customer[view.channel] = customer.id;
		await refresh();
		render(true);
	} catch (error) {
		showError(`New customer: ${error.message}`);
	}
});

attachedName($('phone-file'), $('phone-attached'));
attachedName($('chat-file'), $('chat-attached'));
refresh();
setInterval(refresh, 1000);
