// Prepended by bench/boot_trace.py to copies of the calculator's worker and of the floor's
// worker (never to the shipped files): records every WebAssembly compile/instantiate call
// (start, end; ms on the worker's clock) and, once the worker says it is ready (its
// "ready" message, or the floor's {version}), broadcasts {timeOrigin, wasm, resources,
// marks} on the BroadcastChannel "gg-lab-trace" (resource timing of every fetch and module
// import the worker made: start, response start, end, bytes).
const __ggLab = { wasm: [], marks: {} };
for (const fn of ["instantiateStreaming", "instantiate", "compileStreaming", "compile"]) {
  const orig = WebAssembly[fn];
  if (!orig) continue;
  WebAssembly[fn] = async function (...a) {
    const start = performance.now();
    try {
      return await orig.apply(this, a);
    } finally {
      __ggLab.wasm.push({ fn, start: Math.round(start), end: Math.round(performance.now()) });
    }
  };
}
{
  const post = self.postMessage.bind(self);
  self.postMessage = (m, ...rest) => {
    post(m, ...rest);
    if (m && (m.type === "ready" || m.version) && !__ggLab.sent) {
      __ggLab.sent = true;
      const resources = performance.getEntriesByType("resource").map((r) => ({
        name: decodeURIComponent(r.name.split("/").pop()), start: Math.round(r.startTime),
        responseStart: Math.round(r.responseStart), end: Math.round(r.responseEnd),
        transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize, initiator: r.initiatorType,
      }));
      new BroadcastChannel("gg-lab-trace").postMessage({ timeOrigin: performance.timeOrigin, wasm: __ggLab.wasm, resources });
    }
  };
}
