// The Pyodide floor in a module worker (bench/floor.html?worker=1): loadPyodide()
// from the given folder, then tell the page. Nothing else.
self.onmessage = async (event) => {
  try {
    const { loadPyodide } = await import(new URL("pyodide.mjs", event.data.indexURL).href);
    const py = await loadPyodide({ indexURL: event.data.indexURL, stdout: () => {}, stderr: () => {} });
    self.postMessage({ version: py.version });
  } catch (err) {
    self.postMessage({ error: String((err && err.message) || err) });
  }
};
