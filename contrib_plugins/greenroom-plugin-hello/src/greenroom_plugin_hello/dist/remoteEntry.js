// The hello frontend plugin: a module federation container written by hand, so that it
// needs no build toolchain. A bundler (webpack or rspack with @module-federation/enhanced)
// writes these same two files, remoteEntry.js and mf-manifest.json, into dist/.
(function () {
  var modules = {
    "./Plugin": {
      // Renders a greeting into the host's element, and the number of catalog entities
      // when the catalog answers; the promise settles once the text is final.
      render: function (target) {
        var greeting = document.createElement("p");
        greeting.className = "greenroom-hello";
        greeting.textContent = "Hello from the hello plugin";
        target.appendChild(greeting);
        return fetch("/api/catalog/entities")
          .then(function (response) {
            // A 404 means no catalog plugin, not an empty catalog.
            return response.ok ? response.json() : null;
          })
          .then(function (entities) {
            if (Array.isArray(entities)) {
              greeting.textContent += " (" + entities.length + " catalog entities)";
            }
          })
          .catch(function () {
            // The catalog is unreachable: the greeting alone.
          });
      },
    },
  };
  self.greenroom_plugin_hello = {
    init: function () {
      return Promise.resolve();
    },
    get: function (module) {
      if (!(module in modules)) {
        return Promise.reject(new Error("the hello plugin has no module " + module));
      }
      var exported = modules[module];
      return Promise.resolve(function () {
        return exported;
      });
    },
  };
})();
