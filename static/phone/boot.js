// The phone's websocket, opened as soon as this small module arrives: on a bad wifi the
// hello and the welcome travel while the rest of the page is still downloading, instead
// of after it. What the server says meanwhile is kept, in order, until the page listens
// (`release()`, called by app.js once its handlers are in place).

import { CrowdSocket } from "../shared/socket.js";
import { codeFromPath } from "../shared/dom.js";

class EarlySocket extends CrowdSocket {
  constructor(opts) {
    super(opts);
    this.held = []; // [type, detail] emitted before the page listened
  }

  emit(type, detail) {
    if (this.held) this.held.push([type, detail]);
    else super.emit(type, detail);
  }

  /** The page listens now: what came meanwhile is told, in order, then everything live. */
  release() {
    const held = this.held || [];
    this.held = null;
    held.forEach(([type, detail]) => super.emit(type, detail));
  }
}

export const sock = new EarlySocket({
  role: "phone", room: codeFromPath(), deviceKey: "crowd.device", seqKey: "crowd.seq",
});
sock.start();
