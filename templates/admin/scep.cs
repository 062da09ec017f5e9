<?cs # scep.cs: the SCEP section's overview: on/off, the enrollment URLs per type, pending requests, the Apple profile, and the organisations and departments with self enrollment. ?><?cs include:"admin/header.cs" ?>
<?cs if:Banner.done == "revoke-on" ?><div class="banner-success" role="status" id="scep-saved"><p>Saved: a renewal now revokes the certificate it renews.</p></div>
<?cs elif:Banner.done == "revoke-off" ?><div class="banner-success" role="status" id="scep-saved"><p>Saved: a renewal now leaves the certificate it renews valid.</p></div>
<?cs elif:Banner.done == "unchanged" ?><div class="banner-success" role="status" id="scep-saved"><p>Nothing to save: the setting was already so.</p></div><?cs /if ?>
<h1>SCEP</h1>
<dl class="confirm-details">
  <dt>SCEP enrollment</dt><dd id="scep-state"><?cs if:Scep.enabled == "1" ?><strong class="tag tag-good">on</strong><?cs else ?><strong class="tag tag-wait">off</strong> devices cannot enroll<?cs /if ?></dd>
  <dt>Waiting for approval</dt><dd><a href="/admin/scep/pending" id="scep-pending-count"><?cs var:Scep.pending ?> SCEP request<?cs if:Scep.pending != 1 ?>s<?cs /if ?></a></dd>
</dl>
<p><?cs if:Can.settings ?><a href="/admin/scep/settings">Change the SCEP settings</a><?cs /if ?>
<?cs if:Can.mobileconfig ?><?cs if:Can.settings ?> · <?cs /if ?><a href="/admin/scep/mobileconfig">Make an Apple configuration profile (.mobileconfig)</a><?cs /if ?></p>

<h2>Enrollment URLs</h2>
<?cs if:Scep.enabled != "1" ?>
<p class="empty">SCEP is off for this customer: its URLs answer 404 Not Found.</p>
<?cs elif:subcount(Urls) == 0 ?>
<p class="empty">No type is enabled: every SCEP URL answers 404 Not Found.</p>
<?cs else ?>
<p class="hint">Give devices the URL of their type and an access code of their organisation or department as challenge password.</p>
<?cs each:u = Urls ?>
<div class="field scep-url">
  <label for="url-<?cs var:u.type ?>"><strong><?cs var:u.type ?></strong> (<?cs var:u.profile ?>)</label>
  <input class="copy" type="text" id="url-<?cs var:u.type ?>" readonly value="<?cs var:u.url ?>">
  <p class="small">Capabilities: <code><?cs var:u.url ?>?operation=GetCACaps</code><br>
  CA certificates: <code><?cs var:u.url ?>?operation=GetCACert</code></p>
</div>
<?cs /each ?>
<?cs /if ?>

<h2>Self enrollment</h2>
<p class="hint">A device's challenge password is the access code of the organisation or department that receives its
certificate; only organisations and departments with self enrollment on accept it. Self enrollment is switched on
the client-certificate tab of each organisation or department. Departments follow their organisation's approval
and renewal settings.</p>
<?cs if:subcount(Enroll) == 0 ?>
<p class="empty">No organisations or departments in your scope.</p>
<?cs else ?>
<div class="table-scroll">
<table class="list" id="scep-enrollment">
  <thead><tr><th>Organisation / department</th><th>Self enrollment</th><th>Approval</th><th>Access code</th><th>Renewal revokes the old certificate</th></tr></thead>
  <tbody>
  <?cs each:e = Enroll ?><tr>
    <td><?cs if:e.kind == "dept" ?><a href="/admin/departments/<?cs var:e.id ?>"><?cs var:e.org ?> / <?cs var:e.dept ?></a><?cs else ?><a href="/admin/organizations/<?cs var:e.id ?>"><?cs var:e.org ?></a><?cs /if ?></td>
    <td><?cs if:e.self == "1" ?><strong class="tag tag-good">on</strong><?cs else ?><strong class="tag tag-wait">off</strong><?cs /if ?></td>
    <td><?cs if:e.kind == "dept" ?>as organisation: <?cs /if ?><?cs if:e.auto == "1" ?>automatic<?cs else ?>manual<?cs /if ?></td>
    <td><?cs if:e.show_code ?><?cs if:e.code_set == "1" ?>set <?cs var:e.set_at ?> UTC, ends in <code><?cs var:e.hint ?></code><?cs else ?>none<?cs /if ?><?cs else ?>(not shown to you)<?cs /if ?>
      <?cs if:e.may_rotate ?><br><a href="/admin/<?cs if:e.kind == "dept" ?>departments<?cs else ?>organizations<?cs /if ?>/<?cs var:e.id ?>/access-code"><?cs if:e.code_set == "1" ?>Rotate<?cs else ?>Set<?cs /if ?> access code<span class="visually-hidden"> of <?cs var:e.org ?><?cs if:e.kind == "dept" ?> / <?cs var:e.dept ?><?cs /if ?></span></a><?cs /if ?></td>
    <td><?cs if:e.kind == "dept" ?>as organisation: <?cs /if ?><?cs if:e.revoke == "1" ?>yes<?cs else ?>no<?cs /if ?>
      <?cs if:e.may_edit ?><form method="post" action="/admin/scep/organizations/<?cs var:e.id ?>/revoke-superseded"><input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>"><input type="hidden" name="revoke_superseded" value="<?cs if:e.revoke == "1" ?>off<?cs else ?>on<?cs /if ?>"><button type="submit" class="secondary"><?cs if:e.revoke == "1" ?>Keep old certificates valid<?cs else ?>Revoke on renewal<?cs /if ?><span class="visually-hidden"> for <?cs var:e.org ?></span></button></form><?cs /if ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
</div>
<?cs if:EnrollMore ?><p class="small">Only the first 500 organisations and departments are listed.</p><?cs /if ?>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
