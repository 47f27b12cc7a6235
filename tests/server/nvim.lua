-- Drives `xsuaa-lint server` with Neovim's built-in LSP client (Neovim 0.7 or later: no
-- `vim.lsp.start`, which came in 0.8). Opens XSUAA_LINT_FILE, waits for the XS102 diagnostic,
-- asks for the code actions at it, applies the preferred one and waits for the next stage's
-- finding. What it saw goes to XSUAA_LINT_OUT as JSON; tests/server.rs judges it.
local bin = os.getenv("XSUAA_LINT_BIN")
local file = os.getenv("XSUAA_LINT_FILE")
local out = os.getenv("XSUAA_LINT_OUT")
local seen = { raw = {}, steps = {} }

local function finish(code)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(seen))
  f:close()
  vim.cmd(code == 0 and "qall!" or "cquit " .. code)
end

local function step(name) table.insert(seen.steps, name) end

-- The raw notifications, with the server's UTF-16 ranges, beside what Neovim made of them.
local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  table.insert(seen.raw, result)
  return publish(err, result, ctx, config)
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({ name = "xsuaa-lint", cmd = { bin, "server" }, root_dir = vim.fn.fnamemodify(file, ":h") })
if not id then
  seen.error = "the client did not start"
  return finish(1)
end
vim.lsp.buf_attach_client(buf, id)
step("attached")

local function diagnostic(code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then return d end
  end
end

local function wait_for(code)
  local found
  vim.wait(15000, function()
    found = diagnostic(code)
    return found ~= nil
  end, 10)
  return found
end

local first = wait_for("XS102")
if not first then
  seen.error = "no XS102 diagnostic"
  return finish(1)
end
step("XS102 received")
seen.first = { lnum = first.lnum, col = first.col, end_lnum = first.end_lnum, end_col = first.end_col,
  severity = first.severity, source = first.source, message = first.message }

local client = vim.lsp.get_client_by_id(id)
-- As `vim.lsp.buf.code_action()` asks with the cursor on the finding: its range, and the
-- diagnostic itself in the context.
local lsp_diagnostic
for _, d in ipairs(seen.raw[#seen.raw].diagnostics) do
  if d.code == "XS102" then lsp_diagnostic = d end
end
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = lsp_diagnostic.range,
  context = { diagnostics = { lsp_diagnostic } },
}
local response = client.request_sync("textDocument/codeAction", params, 10000, buf)
if not response or response.err or not response.result then
  seen.error = "codeAction failed: " .. vim.inspect(response)
  return finish(1)
end
seen.actions = {}
local preferred
for _, action in ipairs(response.result) do
  table.insert(seen.actions, { title = action.title, kind = action.kind, isPreferred = action.isPreferred or false })
  if action.isPreferred then preferred = action end
end
if not preferred then
  seen.error = "no preferred code action"
  return finish(1)
end
vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
step("preferred action applied")
seen.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")

local next_stage = wait_for("XS103")
if not next_stage then
  seen.error = "no XS103 after the fix"
  return finish(1)
end
step("XS103 received")
seen.after = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(seen.after, d.code) end
vim.lsp.stop_client(id)
finish(0)
