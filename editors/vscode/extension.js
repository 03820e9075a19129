// The VS Code client of `steg lsp`: starts the language server in the workspace folder and
// hands it the YAML and Rhai files of the configuration. Everything else (diagnostics,
// definitions, completion, rename) is the server's.
'use strict';

const path = require('path');
const { workspace } = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

/** The steg program from the `steg.path` setting, resolved against the workspace folder. */
function stegCommand(folder) {
  const setting = workspace.getConfiguration('steg').get('path') || 'steg';
  if (folder && !path.isAbsolute(setting) && setting.includes('/')) {
    return path.join(folder, setting);
  }
  return setting;
}

function activate(context) {
  const folder = workspace.workspaceFolders && workspace.workspaceFolders[0]
    ? workspace.workspaceFolders[0].uri.fsPath
    : undefined;
  const server = { command: stegCommand(folder), args: ['lsp'], options: { cwd: folder } };
  client = new LanguageClient('steg', 'steg', server, {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'rhai' },
    ],
  });
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
