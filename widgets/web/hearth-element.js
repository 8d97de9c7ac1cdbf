// <hearth-player src="module.bin" lang="ar"></hearth-player>
// Loads the WebAssembly player once and mounts it into every <hearth-player> element on the page.
import init, { mount } from './hearth-player.js';

const ready = init({ module_or_path: new URL('./hearth-player_bg.wasm', import.meta.url) });

class HearthPlayer extends HTMLElement {
  async connectedCallback() {
    await ready;
    if (this.handle) return;
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
export { mount, ready };
