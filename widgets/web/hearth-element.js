// <hearth-player src="module.bin" lang="ar"></hearth-player>
// Loads the WebAssembly player once and mounts it into every <hearth-player> element on the page.
//
// A query on this script's URL (`hearth-element.js?v=<hash>`, written by `hearth build` on the
// launch page) goes on the glue and the wasm too: the URLs then name one version of the player,
// so caches (the service worker's, an LMS's) can keep them, and the launch page's preloads match.
const v = new URL(import.meta.url).search;
const glue = import(`./hearth-player.js${v}`);
const ready = glue.then(({ default: init }) => init({ module_or_path: new URL(`./hearth-player_bg.wasm${v}`, import.meta.url) }));

class HearthPlayer extends HTMLElement {
  async connectedCallback() {
    await ready;
    if (this.handle) return;
    const { mount } = await glue;
    this.handle = mount(this, {
      src: this.getAttribute('src'),
      lang: this.getAttribute('lang') || undefined,
      storage_key: this.getAttribute('storage-key') || undefined,
      seed: this.getAttribute('seed') || undefined,
      format: this.getAttribute('format') || undefined,
      // The player's words in languages other than English are files beside it.
      catalogs: new URL('./i18n/', import.meta.url).href,
    });
  }
  disconnectedCallback() {
    this.handle?.destroy();
    this.handle = undefined;
  }
}

if (!customElements.get('hearth-player')) customElements.define('hearth-player', HearthPlayer);
export const mount = (...args) => glue.then((m) => m.mount(...args));
export { ready };
