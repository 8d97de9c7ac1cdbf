// Hearth's service worker: a second launch, and a reload while offline, come from the browser.
//
// Registered by the plain embed's launch page (`hearth-sw.js` beside its index.html, so its scope
// is the package's folder) and by `hearth serve` (`/au/hearth-sw.js`, scope `/au/`). Not in the
// SCORM, cmi5 and xAPI packages: there the LMS owns the page around the module and its URLs.
//
// - Player files whose URL names their version — `/player/<content hash>/…` from `hearth serve`,
//   or `…?v=<hash>` on a package's launch page — never change: cache first.
// - Everything else in scope (the launch page, the module, its media, the player's catalogs):
//   network first, the cached copy when the network fails. A page is cached without its query
//   (a cmi5 launch URL carries one-time parameters), so an offline reload finds it.
// - Anything else (the LRS, a cmi5 fetch URL, POSTs) is not touched.
//
// The first launch is not controlled yet: when the worker is ready the page posts what it
// loaded (`{ cache: [urls] }`), and the worker stores those, mostly from the HTTP cache.

const CACHE = `hearth ${self.registration.scope}`;
const IMMUTABLE = /\/player\/[0-9a-f]{16,}\//;

const inScope = (url) => url.href.startsWith(self.registration.scope);
const pinned = (url) => IMMUTABLE.test(url.pathname) || (inScope(url) && url.searchParams.has('v'));
const mine = (url) => url.origin === location.origin && (pinned(url) || inScope(url));
const key = (request, url) => (request.mode === 'navigate' ? url.origin + url.pathname : request);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

async function store(cache, keyed, response) {
  if (!response.ok || response.type === 'opaque') return;
  await cache.put(keyed, response);
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  await store(cache, request, response.clone());
  return response;
}

async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  const keyed = key(request, url);
  try {
    const response = await fetch(request);
    await store(cache, keyed, response.clone());
    return response;
  } catch (offline) {
    const hit = (await cache.match(keyed)) ?? (await cache.match(request, { ignoreSearch: true }));
    if (hit) return hit;
    throw offline;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || !mine(url) || url.pathname.endsWith('/hearth-sw.js')) return;
  event.respondWith(pinned(url) ? cacheFirst(request) : networkFirst(request, url));
});

// What an uncontrolled first launch loaded.
self.addEventListener('message', (event) => {
  const urls = Array.isArray(event.data?.cache) ? event.data.cache : [];
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const href of urls) {
        const url = new URL(href, self.registration.scope);
        if (!mine(url) || url.pathname.endsWith('/hearth-sw.js')) continue;
        const page = url.href === event.source?.url;
        const keyed = page ? url.origin + url.pathname : url.href;
        if (await cache.match(keyed)) continue;
        try {
          await store(cache, keyed, await fetch(url.href, { credentials: 'same-origin' }));
        } catch {
          // Offline already: the next launch will fill it in.
        }
      }
    })(),
  );
});
