<?cs # audit.cs: the audit log — filters (errors next to their fields), newest rows first in keyset pages, and the MRAO's check of the chain against the signer's signed checkpoints. ?><?cs include:"admin/header.cs" ?>
<h1>Audit log</h1>
<p class="scope"><?cs var:Audit.scope ?></p>
<?cs if:Audit.may_verify ?>
<section class="verify">
  <h2>Verify chain</h2>
  <?cs if:Verify.state == "intact" ?><p class="ok" id="verify-result"><span class="tag tag-good">intact</span> The audit chain is intact (<?cs var:Verify.rows ?> rows)<?cs if:Verify.cp_id ?>, up to the signed checkpoint at row <?cs var:Verify.cp_id ?> of <?cs var:Verify.cp_time ?>.<?cs else ?>; the signer has signed no checkpoint yet.<?cs /if ?></p>
  <?cs elif:Verify.state == "broken" ?><p class="error-text" id="verify-result"><span class="tag tag-bad">broken</span> The audit chain is broken at row <?cs var:Verify.bad ?>: that row, or its link to the row before, no longer matches its hash.</p>
  <?cs elif:Verify.state == "rewritten" ?><p class="error-text" id="verify-result"><span class="tag tag-bad">rewritten</span> Row <?cs var:Verify.bad ?> rewritten: its chain hash differs from the signed checkpoint at row <?cs var:Verify.bad ?>. A row in <?cs var:Verify.good_from ?>..<?cs var:Verify.bad ?> was changed and the chain after it recomputed.</p>
  <?cs elif:Verify.state == "truncated" ?><p class="error-text" id="verify-result"><span class="tag tag-bad">truncated</span> Rows <?cs var:Verify.bad ?>..<?cs var:Verify.cp_id ?> missing: the signer signed a checkpoint at row <?cs var:Verify.cp_id ?> (<?cs var:Verify.cp_time ?>), the log ends at row <?cs var:Verify.log_end ?>.</p><?cs /if ?>
  <?cs if:Verify.unchecked ?><p class="error-text" id="verify-checkpoints"><span class="tag tag-bad">not checked</span> The signer's signed checkpoints could not be read, so only the chain itself was checked: rows rewritten or removed with the database account would not show. This has been logged.</p><?cs /if ?>
  <form method="post" action="/admin/audit/verify">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <button type="submit">Verify chain now</button>
  </form>
</section>
<?cs /if ?>
<form method="get" action="/admin/audit" class="filters">
  <div class="field<?cs if:Errors.action ?> has-error<?cs /if ?>">
    <label for="f-action">Action</label>
    <input id="f-action" name="action" maxlength="64" value="<?cs var:Filter.action ?>" placeholder="certificate.issue">
    <?cs if:Errors.action ?><p class="error-text"><?cs var:Errors.action ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.actor ?> has-error<?cs /if ?>">
    <label for="f-actor">Actor</label>
    <input id="f-actor" name="actor" maxlength="255" value="<?cs var:Filter.actor ?>" placeholder="alice@CERTMINT.TEST">
    <?cs if:Errors.actor ?><p class="error-text"><?cs var:Errors.actor ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.type ?> has-error<?cs /if ?>">
    <label for="f-type">Object type</label>
    <input id="f-type" name="type" maxlength="64" value="<?cs var:Filter.type ?>" placeholder="certificate">
    <?cs if:Errors.type ?><p class="error-text"><?cs var:Errors.type ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.from ?> has-error<?cs /if ?>">
    <label for="f-from">From (UTC date)</label>
    <input id="f-from" name="from" value="<?cs var:Filter.from ?>" placeholder="YYYY-MM-DD">
    <?cs if:Errors.from ?><p class="error-text" id="from-error"><?cs var:Errors.from ?></p><?cs /if ?>
  </div>
  <div class="field<?cs if:Errors.to ?> has-error<?cs /if ?>">
    <label for="f-to">To (UTC date, inclusive)</label>
    <input id="f-to" name="to" value="<?cs var:Filter.to ?>" placeholder="YYYY-MM-DD">
    <?cs if:Errors.to ?><p class="error-text" id="to-error"><?cs var:Errors.to ?></p><?cs /if ?>
  </div>
  <?cs if:Errors.before ?><p class="error-text"><?cs var:Errors.before ?></p><?cs /if ?>
  <button type="submit">Filter</button> <a href="/admin/audit">Clear</a>
</form>
<?cs if:List.invalid ?>
<p class="empty">Correct the filters above to see the log.</p>
<?cs elif:List.count == 0 ?>
<p class="empty">No audit rows<?cs if:List.before ?> on this page<?cs /if ?>.</p>
<?cs else ?>
<table class="list audit">
  <thead><tr><th>#</th><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Object</th><th>Change</th><th>Hash</th></tr></thead>
  <tbody>
  <?cs each:a = Rows ?><tr class="audit-row">
    <td><?cs var:a.id ?></td>
    <td><?cs var:a.at ?></td>
    <td><?cs var:a.actor ?><?cs if:a.remote ?> <span class="remote">from <?cs var:a.remote ?></span><?cs /if ?></td>
    <td class="action"><?cs var:a.action ?></td>
    <td><?cs var:a.object_type ?><?cs if:a.object_id ?> <?cs var:a.object_id ?><?cs /if ?></td>
    <td><?cs if:a.before || a.after ?><details><summary>before / after</summary>
      <?cs if:a.before ?><pre class="json before"><?cs var:a.before ?></pre><?cs /if ?>
      <?cs if:a.after ?><pre class="json after"><?cs var:a.after ?></pre><?cs /if ?>
    </details><?cs /if ?></td>
    <td class="mono hash"><?cs var:a.hash ?>…</td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<p class="pager"><?cs if:List.before ?><a href="/admin/audit?action=<?cs var:url_escape(Filter.action) ?>&amp;actor=<?cs var:url_escape(Filter.actor) ?>&amp;type=<?cs var:url_escape(Filter.type) ?>&amp;from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>">Newest</a><?cs /if ?>
<?cs if:List.next ?> <a href="/admin/audit?before=<?cs var:List.next ?>&amp;action=<?cs var:url_escape(Filter.action) ?>&amp;actor=<?cs var:url_escape(Filter.actor) ?>&amp;type=<?cs var:url_escape(Filter.type) ?>&amp;from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>">Older</a><?cs /if ?></p>
<?cs include:"admin/footer.cs" ?>
