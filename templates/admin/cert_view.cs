<?cs # cert_view.cs: one certificate: the stored row, the parsed certificate, its chain and downloads. ?><?cs include:"admin/header.cs" ?>
<h1><?cs if:Cert.none ?>Request <?cs var:Row.common_name ?><?cs else ?>Certificate <?cs if:Cert.cn ?><?cs var:Cert.cn ?><?cs else ?><?cs var:Row.serial_hex ?><?cs /if ?><?cs /if ?></h1>
<?cs if:Banner.text ?><div class="banner" role="status"><p><?cs var:Banner.text ?></p></div><?cs /if ?>
<?cs if:!Cert.none ?>
<p class="downloads">Download:
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=pem">PEM</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=chain">PEM with chain</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=der">DER</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=p7b">PKCS#7 with chain</a>
</p>
<?cs /if ?>
<?cs if:Row.status != "declined" ?>
<section class="actions">
  <h2>Actions</h2>
  <?cs if:Row.status == "requested" ?>
  <?cs if:Errors.approve ?><p class="error-text approve-refused"><?cs var:Errors.approve ?></p><?cs /if ?>
  <?cs if:Can.approve ?>
  <form method="post" action="/admin/certificates/<?cs var:Row.id ?>/approve" class="inline">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <button type="submit" class="primary">Approve and issue</button>
  </form>
  <?cs elif:!Errors.approve ?><p class="note approve-refused"><?cs var:Approve.refused ?></p><?cs /if ?>
  <form method="post" action="/admin/certificates/<?cs var:Row.id ?>/decline">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <div class="field<?cs if:Errors.message ?> has-error<?cs /if ?>">
      <label for="message">Message to the requester (required to decline)</label>
      <textarea id="message" name="message" rows="3" cols="60" maxlength="1000"><?cs var:Form.message ?></textarea>
      <?cs if:Errors.message ?><p class="error-text" id="message-error"><?cs var:Errors.message ?></p><?cs /if ?>
    </div>
    <button type="submit" class="secondary">Decline</button>
  </form>
  <?cs elif:Row.status == "approved" ?>
  <?cs if:Row.issue_error ?><p class="bad">Approved, but not issued: <?cs var:Row.issue_error ?></p><?cs /if ?>
  <form method="post" action="/admin/certificates/<?cs var:Row.id ?>/approve" class="inline">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <button type="submit" class="primary">Issue now</button>
  </form>
  <?cs elif:Row.status == "issued" ?>
  <p><a class="button danger" href="/admin/certificates/<?cs var:Row.id ?>/revoke">Revoke…</a>
    <span class="small">The next page names the certificate and asks for the reason.</span></p>
  <?cs /if ?>
  <?cs if:Row.status == "issued" || Row.status == "expired" || Row.status == "revoked" ?>
  <p><a href="/admin/certificates/new?renew=<?cs var:Row.id ?>">Renew</a> (a new request with the same profile and organisation; paste a new CSR)</p>
  <?cs /if ?>
</section>
<?cs /if ?>
<section>
  <h2>Record</h2>
  <dl>
    <dt>Status</dt><dd class="status-<?cs var:Row.status ?>"><?cs var:Row.status ?></dd>
    <dt>Type</dt><dd><?cs var:Row.cert_type ?></dd>
    <dt>Profile</dt><dd><?cs var:Row.profile ?></dd>
    <dt>Organisation</dt><dd><?cs if:Row.org_name ?><?cs var:Row.org_name ?><?cs else ?><em>none</em><?cs /if ?></dd>
    <dt>Requested by</dt><dd><?cs var:Row.requested_by ?></dd>
    <?cs if:Row.term_days ?><dt>Validity</dt><dd class="term"><?cs var:Row.term_days ?> days<?cs if:Row.requested_days ?> <span class="warning">(<?cs var:Row.requested_days ?> days were asked for; the organisation's or profile's maximum applies)</span><?cs /if ?></dd><?cs /if ?>
    <?cs if:Row.approved_by ?><dt><?cs if:Row.status == "declined" ?>Declined by<?cs else ?>Approved by<?cs /if ?></dt><dd><?cs var:Row.approved_by ?></dd><?cs /if ?>
    <dt>Created (UTC)</dt><dd><?cs var:Row.created_at ?></dd>
    <?cs if:Row.revoked_at ?><dt>Revoked (UTC)</dt><dd><?cs var:Row.revoked_at ?></dd><?cs /if ?>
    <?cs if:Row.revocation_reason ?><dt>Revocation reason</dt><dd class="revocation-reason"><?cs var:Row.revocation_reason ?></dd><?cs /if ?>
    <?cs if:Row.decline_message ?><dt>Declined because</dt><dd class="decline-message"><?cs var:Row.decline_message ?></dd><?cs /if ?>
    <?cs if:Row.dept_name ?><dt>Department</dt><dd><?cs var:Row.dept_name ?></dd><?cs /if ?>
  </dl>
</section>
<?cs if:Cert.none ?>
<section>
  <h2>Requested</h2>
  <dl>
    <dt>Subject</dt><dd><?cs var:Row.subject_dn ?></dd>
    <dt>Subject alternative names</dt><dd><?cs if:Row.sans ?><?cs var:Row.sans ?><?cs else ?><em>none</em><?cs /if ?></dd>
    <dt>Key</dt><dd><?cs var:Row.key_type ?> <?cs var:Row.key_bits ?> bits</dd>
  </dl>
</section>
<?cs elif:Cert.unreadable ?>
<p class="bad">The stored certificate could not be parsed.</p>
<?cs else ?>
<section>
  <h2>Certificate</h2>
  <dl>
    <dt>Serial number</dt><dd class="mono"><?cs var:Cert.serial ?></dd>
    <dt>Subject</dt><dd><?cs var:Cert.subject ?></dd>
    <dt>Issuer</dt><dd><?cs var:Cert.issuer ?></dd>
    <dt>Valid from (UTC)</dt><dd><?cs var:Cert.not_before ?></dd>
    <dt>Valid until (UTC)</dt><dd><?cs var:Cert.not_after ?></dd>
    <dt>Subject alternative names</dt><dd><?cs if:subcount(Cert.sans) ?><ul class="sans"><?cs each:s = Cert.sans ?><li><?cs var:s ?></li><?cs /each ?></ul><?cs else ?><em>none</em><?cs /if ?></dd>
    <?cs if:Cert.email ?><dt>E-mail</dt><dd><?cs var:Cert.email ?></dd><?cs /if ?>
    <dt>Key</dt><dd><?cs var:Cert.key_type ?> <?cs var:Cert.key_curve ?> <?cs var:Cert.key_bits ?> bits</dd>
    <dt>Key usage</dt><dd><?cs each:k = Cert.key_usage ?><?cs var:k ?> <?cs /each ?></dd>
    <dt>Extended key usage</dt><dd><?cs each:e = Cert.ekus ?><?cs var:e ?> <?cs /each ?></dd>
    <dt>Signature algorithm</dt><dd><?cs var:Cert.sig_alg ?></dd>
    <dt>SHA-256 fingerprint</dt><dd class="mono fingerprint"><?cs var:Cert.sha256 ?></dd>
  </dl>
</section>
<section>
  <h2>Chain</h2>
  <?cs if:subcount(Chain) ?>
  <ol class="chain">
    <?cs each:ca = Chain ?><li><?cs var:ca.subject ?><br><span class="small">until <?cs var:ca.not_after ?> · SHA-256 <span class="mono"><?cs var:ca.sha256 ?></span></span></li>
    <?cs /each ?>
  </ol>
  <?cs else ?><p><em>The issuing CA is not in the database.</em></p><?cs /if ?>
</section>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
