<?cs # scep_pending.cs: SCEP requests waiting for approval, sortable by the column headings; Approve and Decline post to the certificate's own routes. ?><?cs include:"admin/header.cs" ?>
<p class="crumbs"><a href="/admin/scep">SCEP</a></p>
<h1>Pending SCEP requests (<span id="pending-total"><?cs var:List.total ?></span>)</h1>
<p class="hint">Devices of organisations and departments with manual approval wait here. Approving issues the
certificate; the device collects it at its next poll. Declining needs a message for the records; the device's next
poll is refused.</p>
<?cs if:List.shown == 0 ?>
<p class="empty">No SCEP requests wait for approval.</p>
<?cs else ?>
<?cs if:List.shown < List.total ?><p class="small">The first <?cs var:List.shown ?> are listed.</p><?cs /if ?>
<div class="table-scroll">
<table class="list" id="scep-pending">
  <thead><tr>
    <th>Device / transaction</th>
    <th<?cs if:List.sort == "cn" ?> aria-sort="ascending"<?cs /if ?>><a href="/admin/scep/pending?sort=cn">Subject</a></th>
    <th<?cs if:List.sort == "org" ?> aria-sort="ascending"<?cs /if ?>><a href="/admin/scep/pending?sort=org">Organisation / department</a></th>
    <th<?cs if:List.sort == "received" ?> aria-sort="ascending"<?cs elif:List.sort == "newest" ?> aria-sort="descending"<?cs /if ?>><a href="/admin/scep/pending?sort=<?cs if:List.sort == "received" ?>newest<?cs else ?>received<?cs /if ?>">Received (UTC)</a></th>
    <th>Client address</th>
    <th><span class="visually-hidden">Actions</span></th>
  </tr></thead>
  <tbody>
  <?cs each:p = Pending ?><tr>
    <td><code class="fingerprint"><?cs var:p.tid ?></code><br><span class="small">type <?cs var:p.type ?></span></td>
    <td><a href="/admin/certificates/<?cs var:p.id ?>"><?cs var:p.cn ?></a><br><span class="small"><?cs var:p.email ?></span></td>
    <td><?cs var:p.org ?><?cs if:p.dept ?> / <?cs var:p.dept ?><?cs /if ?></td>
    <td><?cs var:p.received ?></td>
    <td><?cs var:p.addr ?></td>
    <td>
      <form method="post" action="/admin/certificates/<?cs var:p.id ?>/approve"><input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>"><button type="submit" class="primary">Approve<span class="visually-hidden"> <?cs var:p.cn ?></span></button></form>
      <details class="decline"><summary>Decline<span class="visually-hidden"> <?cs var:p.cn ?></span></summary>
        <form method="post" action="/admin/certificates/<?cs var:p.id ?>/decline">
          <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
          <label for="message-<?cs var:p.id ?>">Why (kept with the request)</label>
          <input type="text" id="message-<?cs var:p.id ?>" name="message" maxlength="1000" required>
          <button type="submit" class="danger">Decline</button>
        </form>
      </details>
    </td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
</div>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
