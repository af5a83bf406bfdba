/* app.js - the rawftp web view: the class table, one session as a live
 * sequence diagram, the projector.  Fed by Server-Sent Events from the
 * program (common/web.c), whose events are the narration's lines.
 * Peer text only ever goes into the page as textContent or an attribute
 * value, never as markup. */
'use strict';

var SVGNS = 'http://www.w3.org/2000/svg';

function el(tag, cls, text) {
	var e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined) e.textContent = String(text);
	return e;
}

function sv(tag, attrs, text) {
	var e = document.createElementNS(SVGNS, tag);
	for (var k in attrs) e.setAttribute(k, String(attrs[k]));
	if (text !== undefined) e.textContent = String(text);
	return e;
}

function param(name) {
	return new URLSearchParams(location.search).get(name);
}

function setStatus(text, live) {
	var s = document.getElementById('status');
	if (!s) return;
	s.textContent = text;
	s.className = live ? 'status live' : 'status';
}

/* ---- the class ---- */

var CLASS_COLUMNS = ['id', 'user', 'client', 'state', 'command', 'reply',
	'data', 'in', 'out', 'errors'];

function classRowCells(tr, r) {
	var cells = tr.children;
	var link = el('a', '', r.id);
	link.href = 'session?id=' + encodeURIComponent(r.id);
	cells[0].replaceChildren(link);
	cells[1].textContent = r.user;
	cells[2].textContent = r.client;
	cells[3].textContent = r.state;
	cells[4].textContent = r.command;
	cells[5].textContent = r.reply;
	cells[6].textContent = r.data + (r.peer ? '; ' + r.peer : '');
	cells[7].textContent = r['in'];
	cells[8].textContent = r.out;
	cells[9].textContent = r.errors;
	tr.className = (r.finished ? 'finished' : 'live') +
		(r.errors > 0 ? ' errors' : '');
}

function classPage() {
	var body = document.querySelector('#sessions tbody');
	var filter = document.getElementById('filter');
	var rows = {}, users = {};
	function show(id) {
		var f = filter.value.trim().toLowerCase();
		rows[id].hidden = f !== '' &&
			users[id].toLowerCase().indexOf(f) < 0;
	}
	filter.addEventListener('input', function () {
		for (var id in rows) show(id);
	});
	var es = new EventSource('events/class');
	es.onopen = function () { setStatus('live', true); };
	es.onerror = function () { setStatus('reconnecting', false); };
	es.addEventListener('viewer', function (m) {
		var who = JSON.parse(m.data).account;
		document.getElementById('who').textContent = who ?
			'signed in as ' + who + ': your sessions only' :
			'every session';
	});
	es.addEventListener('row', function (m) {
		var r = JSON.parse(m.data);
		var tr = rows[r.id];
		if (!tr) {
			tr = el('tr');
			CLASS_COLUMNS.forEach(function (c) {
				var cls = ['id', 'in', 'out', 'errors'].indexOf(c) >= 0 ?
					'num' : (c === 'user' ? '' : 'mono');
				tr.appendChild(el('td', cls + ' ' + c));
			});
			rows[r.id] = tr;
			body.insertBefore(tr, body.firstChild);	/* newest first */
		}
		classRowCells(tr, r);
		users[r.id] = r.user;
		show(r.id);
		document.title = 'rawftp: the class (' +
			Object.keys(rows).length + ')';
	});
}

/* ---- one session: its events, from its stream ---- */

function watchSession(id, changed) {
	var s = { id: id, events: [], lost: 0, finished: false };
	var es = new EventSource('events/session?id=' + encodeURIComponent(id));
	s.close = function () { es.close(); };
	es.onopen = function () { setStatus('live', true); };
	es.onerror = function () {
		if (!s.finished) setStatus('reconnecting', false);
	};
	es.addEventListener('ev', function (m) {
		s.events.push(JSON.parse(m.data));
		changed(s);
	});
	es.addEventListener('resync', function (m) {
		/* the server kept no more than its ring: start again */
		s.lost += JSON.parse(m.data).lost;
		s.events = [];
		changed(s);
	});
	es.addEventListener('end', function () {
		es.close();
		s.finished = true;
		setStatus('finished', false);
		changed(s);
	});
	return s;
}

/* ---- the diagram: lanes and rows, from the narration's text ---- */

/* The port arithmetic of a 227 reply or a PORT command, "217*256+21 =
 * 55573", and the port of a 229 reply or an EPRT command; through the
 * tap a line reads "A => B": both are worked out. */
function portMath(text) {
	var out = [], m;
	var six = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/g;
	while ((m = six.exec(text)))
		out.push(m[5] + '*256+' + m[6] + ' = ' + (m[5] * 256 + Number(m[6])));
	var ext = /\|(?:[12]\|[^|]*)?\|?\|(\d+)\|/g;
	if (!out.length)
		while ((m = ext.exec(text)))
			out.push('port ' + m[1]);
	return out.join(' => ');
}

/* "HOST:PORT" of a line's "HOST port PORT" ([ADDR]:PORT on IPv6, as the
 * narration writes HOST:PORT). */
function hostPort(host, port) {
	return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
}

/* The verb of a command's text, without its line ending (--wire shows
 * "PASV\r\n") or what the tap made of it ("PORT ... => PORT ..."). */
function verbOf(label) {
	return label.split(/[\s\\]/)[0].toUpperCase();
}

/* From the narration's lines to lanes and rows: lane 0 the client, 1
 * the control port, then one per data connection (the server's end).
 * Through ftp-tap ("server: connected to ..."), lane 1 is the tap and
 * lane 2 the server's control port.  A relayed connection is two TCP
 * connections, one a leg: the client's between the client and the tap,
 * the server's between the tap and the server's lane (control or data).
 * Each event is drawn on the leg it happened on, which its line names
 * (narrate.h: the tap's lines call it "tap"). */
function layout(events) {
	var lanes = [{ label: 'client', sub: [] }, { label: 'control port', sub: [] }];
	var rows = [], data = -1, pending = '', n = 0, verb = '';
	var tap = false, server = -1;
	function lane(label, sub, passive) {
		lanes.push({ label: label, sub: sub, passive: passive });
		return lanes.length - 1;
	}
	function row(base, r) { rows.push(Object.assign(base, r)); return base; }
	function dataLaneLabel(d) {
		d.label = 'data ' + d.n + ': ' + (d.verb ? d.verb + ' ' : '') +
			(d.passive ? '(passive)' : '(active)');
	}
	/* sub: who listens where and who connects, a line each; through
	 * the tap, the client's leg and then the server's */
	function dataLane(passive, sub) {
		data = lane('', sub, passive);
		lanes[data].n = ++n;
		/* the tap narrates its listening before the PORT it rewrote */
		lanes[data].verb = /^(PASV|EPSV|LPSV|SPSV|PORT|EPRT|LPRT)$/.test(verb) ?
			verb : '';
		dataLaneLabel(lanes[data]);
	}
	/* A SYN: who connects (to where) from where, drawn from lane a to
	 * lane b; line k of the data lane's heading says it too. */
	function syn(base, d, k, a, b, who, to, from) {
		d.sub[k] = who + ' connects from ' + from;
		return row(base, { from: a, to: b, label: 'SYN: ' + who +
			' connects ' + (to ? 'to ' + to + ' ' : '') + 'from ' + from });
	}
	function dataEvent(base, what) {
		var m, d = data >= 0 ? lanes[data] : null;
		if ((m = /^(\w+) listening on (\S+)/.exec(what))) {	/* ftp-labd */
			verb = m[1];
			dataLane(true, ['the server listens on ' + m[2],
				'the client connects']);
		} else if ((m = /^(PORT|EPRT) (\S+) port (\d+)/.exec(what))) {
			verb = m[1];
			dataLane(false, ['the client listens on ' +
				hostPort(m[2], m[3]), 'the server connects']);
		} else if ((m = /^listening on (\S+) port (\d+) for the (client|server); the \w+'s data port is (\S+) port (\d+)/.exec(what))) {
			/* ftp-tap: the tap listens for one end, connects to the other */
			var at = hostPort(m[1], m[2]), far = hostPort(m[4], m[5]);
			if (m[3] === 'client')
				dataLane(true, ['the tap listens on ' + at,
					'the client connects', 'the server listens on ' + far,
					'the tap connects']);
			else
				dataLane(false, ['the client listens on ' + far,
					'the tap connects', 'the tap listens on ' + at,
					'the server connects']);
			lanes[data].tapAt = at;
		} else if ((m = /^(\S+) connected$/.exec(what)) && d) {
			/* to a listening port: the client's (passive), or through
			 * the tap the server's (active) */
			if (d.passive)
				return syn(base, d, 1, 0, tap ? 1 : data, 'the client',
					tap ? d.tapAt : '', m[1]);
			if (tap)
				return syn(base, d, 3, data, 1, 'the server', d.tapAt, m[1]);
		} else if ((m = /^connected to (\S+) from (\S+)/.exec(what)) && d) {
			/* out: the server (active), or the tap to the server
			 * (passive) or to the client (active) */
			if (tap)
				return d.passive ?
					syn(base, d, 3, 1, data, 'the tap', m[1], m[2]) :
					syn(base, d, 1, 1, 0, 'the tap', m[1], m[2]);
			if (!d.passive)
				return syn(base, d, 1, data, 0, 'the server', m[1], m[2]);
		} else if ((m = /^(sent|received) (\d+) bytes/.exec(what)) ||
			(m = /^(\d+) bytes to the client, (\d+) bytes to the server/.exec(what))) {
			var down = m[1] === 'sent' || Number(m[1]) > 0 ||
				Number(m[2]) === 0;
			return row(base, { from: down ? data : 0, to: down ? 0 : data,
				label: what });
		}
		return row(base, { at: data >= 0 ? data : 1, note: what });
	}
	/* "tcp: data: FIN from the tap first: half-closed (client sent 0
	 * bytes, tap 5)": the two ends in brackets say the leg */
	function tcpEvent(base, t) {
		var m = /^tcp: (control|data): (?:FIN|RST) from the (\w+)\b.*\((\w+) sent \d+ bytes, (\w+) \d+\)$/.exec(t);
		var ends = m && { client: 0, tap: tap ? 1 : -1,
			server: m[1] === 'data' ? data : (tap ? server : 1) };
		var a = m && ends[m[3]], b = m && ends[m[4]];
		if (!m || !(a >= 0) || !(b >= 0) || (m[2] !== m[3] && m[2] !== m[4]))
			return row(base, { note: t });
		var from = ends[m[2]];
		return row(base, { from: from, to: from === a ? b : a,
			label: t.slice(5) });
	}
	events.forEach(function (ev) {
		var t = ev.text, m;
		var base = { ev: ev, kind: ev.kind, time: ev.time };
		if (ev.kind === 'connect') {
			m = /^connect from (\S+) port (\d+) to (\S+) port (\d+)/.exec(t);
			if (m) {
				lanes[0].sub = [hostPort(m[1], m[2])];
				lanes[1].sub = [hostPort(m[3], m[4])];
			}
			row(base, { note: t });
		} else if (ev.kind === 'command') {
			var c = row(base, { from: 0, to: 1, label: t.slice(2) });
			verb = verbOf(c.label);
			if (/^(PORT|EPRT)$/.test(verb))
				pending = portMath(c.label);	/* beside its reply */
			if (/^(PORT|EPRT)$/.test(verb) && data >= 0 &&
				!lanes[data].verb && !lanes[data].passive) {
				lanes[data].verb = verb;
				dataLaneLabel(lanes[data]);
			}
		} else if (ev.kind === 'reply') {
			var r = row(base, { from: 1, to: 0, label: t.slice(2) });
			if (/^[45]\d\d /.test(r.label)) r.error = true;
			if (/^(227|229) /.test(r.label)) r.arith = portMath(r.label);
			else if (pending && /^\d\d\d /.test(r.label)) {
				r.arith = pending;
				pending = '';
			}
		} else if (ev.kind === 'data') {
			dataEvent(base, t.slice(6));
		} else if (ev.kind === 'tcp') {
			tcpEvent(base, t);
		} else {
			m = /^server: connected to (\S+) port (\d+) from/.exec(t);
			if (m && !tap) {	/* ftp-tap: the tap and the server */
				tap = true;
				lanes[1].label = 'tap';
				server = lane('server', [hostPort(m[1], m[2])]);
			}
			row(base, { note: t });
		}
	});
	return { lanes: lanes, rows: rows };
}

/* Sizes: in a window, and on the projector (large type, no time); lw
 * is a lane's least width, gap the least room between two headings. */
var GEOMETRY = { lw: 260, rh: 30, left: 90, scale: 1, gap: 24 };
var GEOMETRY_BIG = { lw: 300, rh: 44, left: 0, scale: 1.6, gap: 36 };

function drawDiagram(box, events, big, onpick) {
	var G = big ? GEOMETRY_BIG : GEOMETRY, scale = G.scale;
	var rh = G.rh;
	var d = layout(events);
	var svg = sv('svg', { role: 'img', 'class': 'sequence' });
	/* in the page before anything is drawn: the headings are measured
	 * in their own font, and only they are laid out for it */
	box.replaceChildren(svg);
	var defs = sv('defs', {});
	var mk = sv('marker', { id: 'head', viewBox: '0 0 10 10', refX: 10,
		refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
	mk.appendChild(sv('path', { d: 'M0,0 L10,5 L0,10 z' }));
	defs.appendChild(mk);
	svg.appendChild(defs);
	var subs = d.lanes.reduce(function (k, l) {
		return Math.max(k, l.sub.length);
	}, 2);
	var laneTop = (50 + 15 * subs) * scale, top = laneTop + 16 * scale;
	var heads = d.lanes.map(function (l) {
		/* x is set once every heading is measured */
		var texts = [sv('text', { x: 0, y: 16 * scale,
			'text-anchor': 'middle', 'class': 'lane' }, l.label)];
		l.sub.forEach(function (sub, k) {
			texts.push(sv('text', { x: 0, y: (32 + 15 * k) * scale,
				'text-anchor': 'middle', 'class': 'lane-sub' }, sub));
		});
		texts.forEach(function (t) { svg.appendChild(t); });
		return texts;
	});
	var widths = heads.map(function (texts) {
		return texts.reduce(function (w, t) {
			return Math.max(w, t.getComputedTextLength());
		}, 0);
	});
	/* lanes lw apart, or closer to fit the box (to lw / 2), but never so
	 * close that two lanes' headings overlap, however long their ports */
	function place(s) {
		var at = [G.left + Math.max(s, widths[0] + G.gap) / 2];
		for (var i = 1; i < widths.length; i++)
			at.push(at[i - 1] + Math.max(s,
				(widths[i - 1] + widths[i]) / 2 + G.gap));
		return at;
	}
	var last = widths.length - 1, s = G.lw, xs = place(s);
	while (s > G.lw / 2 && xs[last] + widths[last] / 2 > box.clientWidth)
		xs = place(s -= 10);
	heads.forEach(function (texts, i) {
		texts.forEach(function (t) { t.setAttribute('x', xs[i]); });
	});
	function x(i) { return xs[i]; }
	var width = xs[last] + Math.max(G.lw, widths[last]) / 2 + 200;
	/* a row with its arithmetic under the arrow is taller */
	var ys = [], y = top;
	d.rows.forEach(function (r) {
		ys.push(y + rh * 0.7);
		y += r.arith ? rh * 1.6 : rh;
	});
	var height = y + rh;
	/* the viewBox lets the projector's panes scale a diagram to fit */
	svg.setAttribute('width', width);
	svg.setAttribute('height', height);
	svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
	d.lanes.forEach(function (l, i) {
		svg.appendChild(sv('line', { x1: x(i), y1: laneTop, x2: x(i),
			y2: height, 'class': 'lane-line' }));
	});
	d.rows.forEach(function (r, i) {
		var y = ys[i];
		var g = sv('g', { 'class': 'row ' + r.kind +
			(r.from !== undefined ? ' arrow' : '') + (r.error ? ' error' : ''),
			'data-seq': r.ev.seq });
		if (!big)
			g.appendChild(sv('text', { x: 4, y: y, 'class': 'time' },
				r.time.trim()));
		if (r.from !== undefined) {
			var x1 = x(r.from), x2 = x(r.to);
			g.appendChild(sv('line', { x1: x1, y1: y, x2: x2, y2: y,
				'marker-end': 'url(#head)' }));
			g.appendChild(sv('text', { x: Math.min(x1, x2) + 8,
				y: y - 5 * scale, 'class': 'label' }, r.label));
			if (r.arith)
				g.appendChild(sv('text', { x: Math.min(x1, x2) + 8,
					y: y + 16 * scale, 'class': 'arith' }, r.arith));
			g.addEventListener('click', function () { onpick(r, g); });
		} else {
			/* a data lane's note starts right of the control port, and
			 * runs toward its lane: never cut off at the left */
			var on = r.at !== undefined && r.at > 1;
			g.appendChild(sv('text', { x: on ? x(1) + 8 : x(0) + 8, y: y,
				'class': 'note' }, r.note));
		}
		svg.appendChild(g);
	});
	return svg;
}

function showDetail(r, g) {
	var ev = r.ev;
	document.querySelectorAll('.selected').forEach(function (e) {
		e.classList.remove('selected');
	});
	g.classList.add('selected');
	document.getElementById('detail-text').textContent = ev.time.trim() +
		'  ' + ev.text;
	document.getElementById('detail-wire').textContent =
		ev.wire !== undefined ? ev.wire : '(not a line of the control ' +
		'connection: no bytes of its own)';
	document.getElementById('detail-hex').textContent = ev.masked ?
		'(hex hidden: the password is masked; the server shows it ' +
		'with --show-passwords)' : (ev.hex || '');
}

function sessionPage() {
	var id = param('id');
	document.getElementById('title').textContent = 'Session ' + id;
	document.title = 'rawftp: session ' + id;
	document.getElementById('narration').href =
		'narration.txt?id=' + encodeURIComponent(id);
	document.getElementById('capture').href =
		'capture.pcap?id=' + encodeURIComponent(id);
	var box = document.getElementById('diagram');
	function draw(s) {
		drawDiagram(box, s.events, false, showDetail);
		if (s.lost)
			box.insertBefore(el('p', 'note', '(' + s.lost + ' earlier ' +
				'events are no longer kept)'), box.firstChild);
	}
	var s = watchSession(id, draw);
	/* the lanes are spaced to the window: again when it changes */
	window.addEventListener('resize', function () { draw(s); });
}

/* ---- the projector ---- */

function projectorPage() {
	var panes = document.getElementById('panes');
	var a = param('a'), b = param('b');
	var step = false, shown = 0, watched = [];
	function draw() {
		watched.forEach(function (w) {
			var evs = w.s.events;
			if (step) evs = evs.slice(0, Math.min(shown, evs.length));
			w.head.textContent = 'Session ' + w.s.id +
				(step ? '  (step ' + Math.min(shown, w.s.events.length) +
				' of ' + w.s.events.length + ')' : '');
			drawDiagram(w.box, evs, true, function () {});
		});
	}
	function watch(slot, id) {
		if (watched[slot]) {
			if (watched[slot].s.id === String(id)) return;
			watched[slot].s.close();
		}
		var pane = watched[slot] ? watched[slot].pane : el('section', 'pane');
		var head = el('h2', '', 'Session ' + id);
		var box = el('div', 'diagram');
		pane.replaceChildren(head, box);
		if (!watched[slot]) panes.appendChild(pane);
		watched[slot] = { pane: pane, head: head, box: box,
			s: watchSession(String(id), draw) };
		shown = 0;
	}
	if (a) {
		watch(0, a);
		if (b) watch(1, b);
	} else {
		var newest = 0;
		var es = new EventSource('events/class');
		es.addEventListener('row', function (m) {
			var r = JSON.parse(m.data);
			if (r.id > newest) {
				newest = r.id;
				watch(0, newest);
			}
		});
	}
	window.addEventListener('resize', draw);
	document.addEventListener('keydown', function (e) {
		if (e.key === 's') { step = !step; shown = 0; }
		else if (e.key === 'ArrowRight' || e.key === ' ') shown++;
		else if (e.key === 'ArrowLeft') shown = Math.max(0, shown - 1);
		else if (e.key === 'n' && !a) { shown = 0; }
		else return;
		e.preventDefault();
		draw();
	});
}

var pages = { 'class': classPage, session: sessionPage,
	projector: projectorPage };
pages[document.body.dataset.page]();
