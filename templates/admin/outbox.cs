<?cs # outbox.cs: the MRAO's Outbox page: counts by status, the customer's notification mail (newest or oldest first, filtered by status) with attempts and errors, and "Retry now" for a failed message. ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.retried ?><div class="banner-success" role="status" id="outbox-retried"><p>Message <?cs var:Banner.retried ?> is queued again: the next run of the notification job sends it.</p></div><?cs /if ?>
<h1>Outbox</h1>
<p class="hint">Mail certmint sends: expiry notices, approved and declined requests, and requests that wait for approval.
<code>certmint notify run</code> (every minute) sends what is due; a message the mail relay refuses is tried again after
1 minute, doubling up to 6 hours, and marked failed after some days.</p>
<dl class="confirm-details counts">
  <dt>Queued</dt><dd id="count-queued"><?cs var:Counts.queued ?></dd>
  <dt>Sent</dt><dd id="count-sent"><?cs var:Counts.sent ?></dd>
  <dt>Failed</dt><dd id="count-failed"><?cs var:Counts.failed ?></dd>
</dl>
<form method="get" action="/admin/outbox" class="filters">
  <div class="field">
    <label for="f-status">Status</label>
    <select id="f-status" name="status">
      <option value=""<?cs if:Filter.status == "" ?> selected<?cs /if ?>>All (<?cs var:Counts.all ?>)</option>
      <option value="queued"<?cs if:Filter.status == "queued" ?> selected<?cs /if ?>>Queued</option>
      <option value="sent"<?cs if:Filter.status == "sent" ?> selected<?cs /if ?>>Sent</option>
      <option value="failed"<?cs if:Filter.status == "failed" ?> selected<?cs /if ?>>Failed</option>
    </select>
  </div>
  <div class="field">
    <label for="f-order">Time</label>
    <select id="f-order" name="order">
      <option value="newest"<?cs if:Filter.order == "newest" ?> selected<?cs /if ?>>Newest first</option>
      <option value="oldest"<?cs if:Filter.order == "oldest" ?> selected<?cs /if ?>>Oldest first</option>
    </select>
  </div>
  <button type="submit">Show</button> <a href="/admin/outbox">Clear</a>
</form>
<?cs if:List.count == 0 ?>
<p class="empty">No messages<?cs if:Filter.status ?> with this status<?cs /if ?>.</p>
<?cs else ?>
<?cs if:List.capped ?><p class="hint">The first 100 messages in this order are shown.</p><?cs /if ?>
<table class="list outbox">
  <thead><tr><th>#</th><th>Queued (UTC)</th><th>Status</th><th>To</th><th>Subject</th><th>Attempts</th><th>Next attempt / sent (UTC)</th><th>Last error</th><th></th></tr></thead>
  <tbody>
  <?cs each:m = Rows ?><tr class="outbox-row" id="outbox-<?cs var:m.id ?>">
    <td><?cs var:m.id ?></td>
    <td><?cs var:m.created ?></td>
    <td><?cs if:m.status == "sent" ?><span class="tag tag-good">sent</span><?cs elif:m.status == "failed" ?><span class="tag tag-bad">failed</span><?cs else ?><span class="tag tag-wait">queued</span><?cs /if ?></td>
    <td><?cs var:m.recipient ?></td>
    <td><?cs var:m.subject ?><?cs if:m.cert ?> (<a href="/admin/certificates/<?cs var:m.cert ?>">certificate <?cs var:m.cert ?></a>)<?cs /if ?></td>
    <td><?cs var:m.attempts ?></td>
    <td><?cs if:m.status == "sent" ?><?cs var:m.sent ?><?cs elif:m.status == "queued" ?><?cs var:m.next ?><?cs /if ?></td>
    <td class="error"><?cs var:m.error ?></td>
    <td><?cs if:m.status == "failed" ?><form method="post" action="/admin/outbox/<?cs var:m.id ?>/retry">
      <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
      <button type="submit" class="secondary">Retry now</button></form><?cs /if ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
