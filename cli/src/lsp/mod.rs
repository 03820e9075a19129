//! `steg lsp`: a Language Server over standard input and output (tower-lsp-server on a
//! single-threaded tokio runtime).
//!
//! Diagnostics are those of `steg check`, over the editor's unsaved text, published a moment
//! (200 ms of quiet) after the last change; a change to a base's file checks every
//! municipality that extends it. Go-to-definition, find-references, hover, completion and
//! rename of a step are answered from the names of the last check ([`steg_engine::ide`]); a
//! request waits for a pending check first, so its answer matches the text it is about.
//! Diagnostics with one likely repair ("did you mean") offer it as a quick fix.

mod convert;
mod workspace;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use steg_engine::ide::{self, FileKind, NameKind};
use tokio::sync::Mutex;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use workspace::Workspace;

/// How long the text must stay unchanged before it is checked.
const QUIET: std::time::Duration = std::time::Duration::from_millis(200);

/// Serve until the editor says `exit`.
pub fn serve() -> std::result::Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    Ok(ExitCode::SUCCESS)
}

struct Backend {
    client: Client,
    state: Arc<Mutex<Workspace>>,
    /// Counts changes; a scheduled check runs only if no change came after it.
    generation: Arc<AtomicU64>,
}

impl Backend {
    fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(Mutex::new(Workspace::default())),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Check after `QUIET` unless another change comes first.
    fn schedule(&self) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let (client, state, counter) = (
            self.client.clone(),
            self.state.clone(),
            self.generation.clone(),
        );
        tokio::spawn(async move {
            tokio::time::sleep(QUIET).await;
            if counter.load(Ordering::SeqCst) == generation {
                check(&client, &state).await;
            }
        });
    }

    /// Check now what changed since the last check, so that an answer matches the text.
    async fn fresh(&self) {
        let pending = !self.state.lock().await.affected().is_empty();
        if pending {
            check(&self.client, &self.state).await;
        }
    }
}

/// Check the municipalities the changes affect and publish what changed.
async fn check(client: &Client, state: &Arc<Mutex<Workspace>>) {
    let mut ws = state.lock().await;
    let dirs = ws.affected();
    if dirs.is_empty() {
        return;
    }
    let overlay = ws.overlay.clone();
    let results = tokio::task::spawn_blocking(move || workspace::check(&dirs, &overlay)).await;
    let Ok(results) = results else {
        client
            .log_message(MessageType::ERROR, "steg: checking failed")
            .await;
        return;
    };
    let publish = ws.store(results);
    drop(ws);
    for (uri, diags) in publish {
        client.publish_diagnostics(uri, diags, None).await;
    }
}

/// The file and byte offset of a position in a document.
fn place(ws: &Workspace, doc: &TextDocumentPositionParams) -> Option<(PathBuf, String, usize)> {
    let path = convert::path(&doc.text_document.uri)?;
    let text = ws.text(&path)?;
    let offset = convert::offset(&text, doc.position);
    Some((path, text, offset))
}

/// Where a symbol is defined (`definitions`) or used.
fn locations(
    ws: &Workspace,
    path: &std::path::Path,
    offset: usize,
    definitions: bool,
    references: bool,
) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    for (c, file) in ws.containing(path) {
        let Some((sym, _)) = c.index.at(file, offset) else {
            continue;
        };
        let spans = definitions
            .then_some(&sym.definitions)
            .into_iter()
            .chain(references.then_some(&sym.references))
            .flatten();
        for span in spans {
            if let Some(l) = convert::location(&c.report.sources, span) {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
    }
    out
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated)] // `root_uri` is what older clients send
        let roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| convert::path(&f.uri))
            .chain(params.root_uri.as_ref().and_then(convert::path))
            .collect();
        {
            let mut ws = self.state.lock().await;
            if let Some(root) = roots.first() {
                ws.discover(root);
            }
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "steg".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::FULL,
                )),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string(), " ".to_string()]),
                    ..Default::default()
                }),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                ..Default::default()
            },
            // Positions are in UTF-16 code units, the protocol's default.
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        check(&self.client, &self.state).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        if let Some(path) = convert::path(&params.text_document.uri) {
            self.state.lock().await.set(path, params.text_document.text);
            self.schedule();
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        // Full synchronisation: the last change is the whole text.
        if let Some(change) = params.content_changes.into_iter().last() {
            self.state.lock().await.set(path, change.text);
            self.schedule();
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Some(path) = convert::path(&params.text_document.uri) {
            self.state.lock().await.close(path);
            self.schedule();
        }
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some((path, _, offset)) = place(&ws, &params.text_document_position_params) else {
            return Ok(None);
        };
        let found = locations(&ws, &path, offset, true, false);
        Ok((!found.is_empty()).then_some(GotoDefinitionResponse::Array(found)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some((path, _, offset)) = place(&ws, &params.text_document_position) else {
            return Ok(None);
        };
        let found = locations(&ws, &path, offset, params.context.include_declaration, true);
        Ok((!found.is_empty()).then_some(found))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some((path, _, offset)) = place(&ws, &params.text_document_position_params) else {
            return Ok(None);
        };
        let mut parts: Vec<String> = Vec::new();
        let mut range = None;
        for (c, file) in ws.containing(&path) {
            if let Some((sym, span)) = c.index.at(file, offset) {
                if !parts.contains(&sym.detail) {
                    parts.push(sym.detail.clone());
                }
                let text = &c.report.sources.get(file).text;
                range = Some(convert::range(text, span.loc.offset, span.loc.len));
            }
            // A diagnostic here: what its check finds and why, as `steg explain` says it.
            for d in &c.report.diagnostics {
                let Some(s) = &d.span else { continue };
                if s.file == file
                    && s.loc.offset <= offset
                    && offset <= s.loc.offset + s.loc.len.max(1)
                {
                    let text = format!(
                        "**{} {}**: {}\n\n{}",
                        d.check.code,
                        d.check.name,
                        d.message,
                        crate::render::explain(d.check)
                    );
                    if !parts.contains(&text) {
                        parts.push(text);
                    }
                }
            }
        }
        if parts.is_empty() {
            return Ok(None);
        }
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range,
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some((path, text, offset)) = place(&ws, &params.text_document_position) else {
            return Ok(None);
        };
        let Some(cx) = ide::context(&text, offset, FileKind::of(&path)) else {
            return Ok(None);
        };
        let typed = &text[cx.start..offset];
        let edit_range = Range {
            start: convert::position(&text, cx.start),
            end: params.text_document_position.position,
        };
        let mut items: Vec<CompletionItem> = Vec::new();
        for (c, file) in ws.containing(&path) {
            let workflow = match (cx.kind, cx.qualified) {
                (NameKind::Step, false) => c.index.family(file).map(str::to_string),
                // `workflow.step`: the workflow is what is typed before the dot.
                (NameKind::Step, true) => {
                    let word_start = text[..cx.start]
                        .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
                        .map_or(0, |i| i + 1);
                    let w = text[word_start..cx.start].trim_end_matches('.');
                    (!w.is_empty()).then(|| w.to_string())
                }
                _ => None,
            };
            let names: Vec<&ide::Symbol> = c.index.names(cx.kind, workflow.as_deref()).collect();
            for sym in names {
                // In `municipality.yaml`, a step is written `workflow.step`.
                let label = match (cx.qualified, &workflow, &sym.workflow) {
                    (true, None, Some(w)) => format!("{w}.{}", sym.name),
                    _ => sym.name.clone(),
                };
                if !label.starts_with(typed) || items.iter().any(|i| i.label == label) {
                    continue;
                }
                items.push(CompletionItem {
                    label: label.clone(),
                    kind: Some(match cx.kind {
                        NameKind::Step => CompletionItemKind::FUNCTION,
                        NameKind::Workflow => CompletionItemKind::MODULE,
                        NameKind::Role => CompletionItemKind::CLASS,
                        NameKind::Unit => CompletionItemKind::FOLDER,
                        NameKind::Event => CompletionItemKind::EVENT,
                        NameKind::Rule => CompletionItemKind::METHOD,
                        NameKind::Parameter => CompletionItemKind::CONSTANT,
                    }),
                    detail: Some(
                        sym.detail
                            .lines()
                            .next()
                            .unwrap_or_default()
                            .replace("**", ""),
                    ),
                    documentation: Some(Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: sym.detail.clone(),
                    })),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                        range: edit_range,
                        new_text: label,
                    })),
                    ..Default::default()
                });
            }
        }
        items.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some((path, text, offset)) = place(&ws, &params) else {
            return Ok(None);
        };
        for (c, file) in ws.containing(&path) {
            if let Some((sym, span)) = c.index.at(file, offset) {
                if sym.kind == NameKind::Step {
                    return Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                        range: convert::range(&text, span.loc.offset, span.loc.len),
                        placeholder: sym.name.clone(),
                    }));
                }
            }
        }
        Ok(None)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.fresh().await;
        if !steg_engine::is_id(&params.new_name) {
            return Err(Error::invalid_params(format!(
                "`{}` is not an id: a lower-case ASCII letter, then lower-case letters, digits and `_`",
                params.new_name
            )));
        }
        let ws = self.state.lock().await;
        let Some((path, _, offset)) = place(&ws, &params.text_document_position) else {
            return Ok(None);
        };
        // The step, then every check (municipality) that has it: a base's step is renamed in
        // every municipality that uses it.
        let Some((kind, workflow, name)) = ws.containing(&path).into_iter().find_map(|(c, f)| {
            c.index
                .at(f, offset)
                .filter(|(s, _)| s.kind == NameKind::Step)
                .map(|(s, _)| (s.kind, s.workflow.clone(), s.name.clone()))
        }) else {
            return Err(Error::invalid_params("only a step can be renamed here"));
        };
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for c in ws.checked.values() {
            let Some(sym) = c.index.get(kind, workflow.as_deref(), &name) else {
                continue;
            };
            for span in sym.definitions.iter().chain(&sym.references) {
                if let Some(l) = convert::location(&c.report.sources, span) {
                    let edits = changes.entry(l.uri).or_default();
                    let edit = TextEdit {
                        range: l.range,
                        new_text: params.new_name.clone(),
                    };
                    if !edits.contains(&edit) {
                        edits.push(edit);
                    }
                }
            }
        }
        Ok(Some(WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.fresh().await;
        let ws = self.state.lock().await;
        let Some(path) = convert::path(&params.text_document.uri) else {
            return Ok(None);
        };
        let mut actions: Vec<CodeActionOrCommand> = Vec::new();
        for (c, file) in ws.containing(&path) {
            let text = &c.report.sources.get(file).text;
            for d in &c.report.diagnostics {
                let Some(fix) = &d.fix else { continue };
                let Some(span) = &d.span else { continue };
                if span.file != file {
                    continue;
                }
                let r = convert::range(text, span.loc.offset, span.loc.len);
                if r.end < params.range.start || params.range.end < r.start {
                    continue;
                }
                let target = c.report.sources.get(fix.span.file);
                let (Some(uri), Some(new_text)) =
                    (convert::uri(&target.path), fix.edit(&target.text))
                else {
                    continue;
                };
                let title = format!("Replace with `{}` ({})", fix.replacement, d.check.code);
                if actions
                    .iter()
                    .any(|a| matches!(a, CodeActionOrCommand::CodeAction(x) if x.title == title))
                {
                    continue;
                }
                let edit = TextEdit {
                    range: convert::range(&target.text, fix.span.loc.offset, fix.span.loc.len),
                    new_text,
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    is_preferred: Some(true),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri, vec![edit])])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }));
            }
        }
        Ok(Some(actions))
    }
}
