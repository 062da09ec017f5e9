<?cs # domain_view.cs: one domain: validation state and date, its delegations, and the delegate / validate / delete forms. ?><?cs include:"admin/header.cs" ?>
<h1>Domain <?cs var:Domain.name ?></h1>
<table class="fields">
  <tr><th>Name</th><td id="domain-name"><?cs var:Domain.name ?></td></tr>
  <tr><th>Validation</th><td id="validation-state"><?cs var:Domain.state ?><?cs if:Domain.method ?> (<?cs var:Domain.method ?>)<?cs /if ?></td></tr>
  <tr><th>Validated at</th><td id="validated-at"><?cs if:Domain.validated_at ?><?cs var:Domain.validated_at ?> UTC<?cs else ?>never<?cs /if ?></td></tr>
  <tr><th>Added</th><td><?cs var:Domain.created_at ?> UTC</td></tr>
</table>
<?cs if:Can.validate ?>
<form class="validate" method="post" action="/admin/domains/<?cs var:Domain.id ?>/validate">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <input type="hidden" name="method" value="manual">
  <div class="field<?cs if:Errors.validate ?> has-error<?cs /if ?>">
    <button type="submit">Mark validated (manually)</button>
    <span class="small">You vouch that the customer controls this domain; the audit log records it.</span>
    <?cs if:Errors.validate ?><p class="error-text"><?cs var:Errors.validate ?></p><?cs /if ?>
  </div>
</form>
<?cs /if ?>
<section class="delegations">
  <h2>Delegations</h2>
  <?cs if:Errors.delegations ?><p class="error-text"><?cs var:Errors.delegations ?></p><?cs /if ?>
  <?cs if:subcount(Delegations) ?>
  <table class="list delegations">
    <thead><tr><th>Organisation</th><th>Department</th><th>Certificate type</th><th>State</th><th>Since</th><th></th></tr></thead>
    <tbody><?cs each:g = Delegations ?><tr><td><?cs var:g.org ?></td><td><?cs if:g.dept ?><?cs var:g.dept ?><?cs else ?>(whole organisation)<?cs /if ?></td><td><?cs var:g.type ?></td><td><?cs var:g.state ?></td><td><?cs var:g.created ?></td>
      <td><?cs if:g.can_remove ?><a class="button danger" href="/admin/domains/<?cs var:Domain.id ?>/undelegate?delegation=<?cs var:g.id ?>">Remove…</a><?cs /if ?></td></tr>
    <?cs /each ?></tbody>
  </table>
  <?cs else ?><p><em>Not delegated.</em></p><?cs /if ?>
  <?cs if:Can.delegate ?>
  <form class="delegate" method="post" action="/admin/domains/<?cs var:Domain.id ?>/delegate">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <div class="field<?cs if:Errors.target ?> has-error<?cs /if ?>">
      <label for="target">Delegate to</label>
      <select id="target" name="target">
        <option value="">choose…</option>
        <?cs each:t = Targets ?><option value="<?cs var:t.value ?>"<?cs if:t.value == Form.target ?> selected<?cs /if ?>><?cs var:t.org ?><?cs if:t.dept ?> / <?cs var:t.dept ?><?cs /if ?></option>
        <?cs /each ?>
      </select>
      <?cs if:Errors.target ?><p class="error-text" id="target-error"><?cs var:Errors.target ?></p><?cs /if ?>
    </div>
    <div class="field<?cs if:Errors.types ?> has-error<?cs /if ?>">
      <span class="label">Certificate types</span>
      <label><input type="checkbox" name="type_ssl" value="1"<?cs if:Form.type_ssl ?> checked<?cs /if ?>> SSL</label>
      <label><input type="checkbox" name="type_client" value="1"<?cs if:Form.type_client ?> checked<?cs /if ?>> client / S/MIME</label>
      <label><input type="checkbox" name="type_codesign" value="1"<?cs if:Form.type_codesign ?> checked<?cs /if ?>> code signing</label>
      <?cs if:Errors.types ?><p class="error-text" id="types-error"><?cs var:Errors.types ?></p><?cs /if ?>
    </div>
    <div class="buttons"><button type="submit" class="primary">Delegate</button></div>
  </form>
  <?cs /if ?>
</section>
<?cs if:Can.delete ?>
<p class="delete"><a class="button danger" href="/admin/domains/<?cs var:Domain.id ?>/delete">Delete domain…</a>
  <span class="small">Refused while it is delegated.</span></p>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
