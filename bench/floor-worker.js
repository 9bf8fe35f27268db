// The Pyodide floor in a module worker (bench/floor.html?worker=1): loadPyodide()
// from the given folder, then tell the page. Nothing else.
// phases: ms since the worker's script began at which each step ended (the calculator's
// worker reports the same way, so bench/calculator.py can put the two side by side).
self.onmessage = async (event) => {
  try {
    const phases = {};
    const { loadPyodide } = await import(new URL("pyodide.mjs", event.data.indexURL).href);
    phases["pyodide.mjs"] = Math.round(performance.now());
    const py = await loadPyodide({ indexURL: event.data.indexURL, stdout: () => {}, stderr: () => {} });
    phases.booted = Math.round(performance.now());
    self.postMessage({ version: py.version, phases, timeOrigin: performance.timeOrigin });
  } catch (err) {
    self.postMessage({ error: String((err && err.message) || err) });
  }
};
