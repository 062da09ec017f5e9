<?cs # scep_settings.cs: the MRAO's SCEP settings: SCEP on or off for the customer, its types (type segment, profile, enabled, URL) and a form to add one. ?><?cs include:"admin/header.cs" ?>
<p class="crumbs"><a href="/admin/scep">SCEP</a></p>
<?cs if:Banner.done == "saved" ?><div class="banner-success" role="status" id="scep-saved"><p>SCEP is on: devices can enroll at the URLs below.</p></div>
<?cs elif:Banner.done == "off" ?><div class="banner-success" role="status" id="scep-saved"><p>SCEP is off: the customer's SCEP URLs answer 404 Not Found.</p></div>
<?cs elif:Banner.done == "unchanged" ?><div class="banner-success" role="status" id="scep-saved"><p>Nothing to save: the settings were already so.</p></div>
<?cs elif:Banner.done == "added" ?><div class="banner-success" role="status" id="scep-saved"><p>SCEP type added.</p></div>
<?cs elif:Banner.done == "enabled" ?><div class="banner-success" role="status" id="scep-saved"><p>SCEP type enabled.</p></div>
<?cs elif:Banner.done == "disabled" ?><div class="banner-success" role="status" id="scep-saved"><p>SCEP type disabled: its URL answers 404 Not Found.</p></div><?cs /if ?>
<?cs if:Errors.scep_enabled || Errors.type || Errors.profile ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><?cs if:Errors.scep_enabled ?><li><a href="#scep_enabled-on"><?cs var:Errors.scep_enabled ?></a></li><?cs /if ?>
  <?cs if:Errors.type ?><li><a href="#type"><?cs var:Errors.type ?></a></li><?cs /if ?>
  <?cs if:Errors.profile ?><li><a href="#profile"><?cs var:Errors.profile ?></a></li><?cs /if ?></ul>
</div>
<?cs /if ?>
<h1>SCEP settings</h1>
<form class="settings" method="post" action="/admin/scep/settings">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.scep_enabled ?> has-error<?cs /if ?>" role="radiogroup" aria-labelledby="scep_enabled-label" aria-describedby="scep_enabled-hint">
    <p id="scep_enabled-label"><strong>SCEP enrollment</strong></p>
    <p class="hint" id="scep_enabled-hint">Devices (phones, routers, MDM-managed computers) request client and S/MIME
    certificates at the customer's SCEP URLs with an organisation's or department's access code as challenge password.
    Turning SCEP off makes every URL answer 404 Not Found; you will be asked to confirm.</p>
    <?cs if:Errors.scep_enabled ?><p class="error-text" id="scep_enabled-error"><?cs var:Errors.scep_enabled ?></p><?cs /if ?>
    <div><label><input type="radio" id="scep_enabled-on" name="scep_enabled" value="on"<?cs if:Form.scep_enabled == "on" ?> checked<?cs /if ?>> On: devices may enroll</label></div>
    <div><label><input type="radio" id="scep_enabled-off" name="scep_enabled" value="off"<?cs if:Form.scep_enabled == "off" ?> checked<?cs /if ?>> Off: every SCEP URL answers 404</label></div>
  </div>
  <div class="buttons"><button type="submit" class="primary">Save</button></div>
</form>

<h2>Types</h2>
<p class="hint">Each type is one URL, <code>/customer/<?cs var:Customer.uri ?>/scep/TYPE/pkiclient.exe</code>, and the signer profile its certificates are issued under.<?cs if:Scep.enabled != "1" ?> The URLs answer only while SCEP is on.<?cs /if ?></p>
<?cs if:subcount(Types) == 0 ?>
<p class="empty">No types yet: turning SCEP on adds <code>smime</code> (client-smime).</p>
<?cs else ?>
<div class="table-scroll">
<table class="list" id="scep-types">
  <thead><tr><th>Type</th><th>Profile</th><th>Status</th><th>URL</th><th><span class="visually-hidden">Action</span></th></tr></thead>
  <tbody>
  <?cs each:t = Types ?><tr>
    <td><code><?cs var:t.type ?></code></td>
    <td><?cs var:t.label ?></td>
    <td><?cs if:t.enabled == "1" ?><strong class="tag tag-good">enabled</strong><?cs else ?><strong class="tag tag-wait">disabled</strong><?cs /if ?></td>
    <td class="url"><?cs if:t.enabled == "1" ?><code><?cs var:t.url ?></code><?cs else ?>(answers 404)<?cs /if ?></td>
    <td><?cs if:t.enabled == "1" ?><a href="/admin/scep/types/disable?type=<?cs var:url_escape(t.type) ?>">Disable<span class="visually-hidden"> <?cs var:t.type ?></span></a><?cs else ?>
      <form method="post" action="/admin/scep/types/enable"><input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>"><input type="hidden" name="type" value="<?cs var:t.type ?>"><button type="submit" class="secondary">Enable<span class="visually-hidden"> <?cs var:t.type ?></span></button></form><?cs /if ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
</div>
<?cs /if ?>

<h2>Add a type</h2>
<form class="settings" method="post" action="/admin/scep/types/new">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.type ?> has-error<?cs /if ?>">
    <label for="type"><strong>Type</strong></label>
    <p class="hint" id="type-hint">The URL segment devices use, for example <code>device</code>: 1 to 32 lower-case letters, digits or hyphens, unique for this customer.</p>
    <?cs if:Errors.type ?><p class="error-text" id="type-error"><?cs var:Errors.type ?></p><?cs /if ?>
    <input type="text" id="type" name="type" maxlength="32" autocapitalize="none" spellcheck="false" value="<?cs var:Form.type ?>" aria-describedby="type-hint<?cs if:Errors.type ?> type-error<?cs /if ?>">
  </div>
  <div class="field<?cs if:Errors.profile ?> has-error<?cs /if ?>">
    <label for="profile"><strong>Profile</strong></label>
    <p class="hint" id="profile-hint">The signer profile that issues the type's certificates. Client / S/MIME: a user's
    certificate, with a CN and an e-mail address. Device / client authentication: client authentication only, the
    device named by its CN (a DNS name or an e-mail address in a domain delegated to the organisation).</p>
    <?cs if:Errors.profile ?><p class="error-text" id="profile-error"><?cs var:Errors.profile ?></p><?cs /if ?>
    <select id="profile" name="profile" aria-describedby="profile-hint">
      <?cs each:p = Profiles ?><option value="<?cs var:p.profile ?>"<?cs if:p.profile == Form.profile ?> selected<?cs /if ?>><?cs var:p.label ?></option>
      <?cs /each ?>
    </select>
  </div>
  <div class="buttons"><button type="submit" class="primary">Add type</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
