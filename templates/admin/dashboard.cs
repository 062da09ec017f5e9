<?cs # dashboard.cs: certificate counts by type and status, expiries, and issuance per day as an inline SVG bar chart (all numbers from the server). ?><?cs include:"admin/header.cs" ?>
<?cs def:count_row(label, key, t) ?><tr id="count-<?cs var:key ?>">
      <th><?cs var:label ?></th><td class="issued"><?cs var:t.issued ?></td><td class="requested"><?cs var:t.requested ?></td>
      <td class="approved"><?cs var:t.approved ?></td><td class="revoked"><?cs var:t.revoked ?></td>
      <td class="expired"><?cs var:t.expired ?></td><td class="declined"><?cs var:t.declined ?></td><td class="total"><?cs var:t.total ?></td>
    </tr><?cs /def ?>
<?cs include:"admin/recovery_alarm.cs" ?>
<h1>Dashboard</h1>
<p class="scope">Counting <?cs var:Dashboard.scope ?>. <a href="/admin/reports/certificates.csv">Download them as CSV</a></p>
<section class="counts">
  <h2>Certificates by type and status</h2>
  <table class="counts list">
    <thead><tr><th>Type</th><th>Issued</th><th>Requested</th><th>Approved</th><th>Revoked</th><th>Expired</th><th>Declined</th><th>All</th></tr></thead>
    <tbody>
    <?cs call:count_row("SSL / TLS", "ssl", Counts.ssl) ?>
    <?cs call:count_row("Client / S/MIME", "client", Counts.client) ?>
    <?cs call:count_row("Code signing", "codesign", Counts.codesign) ?>
    <?cs call:count_row("OCSP signing", "ocsp", Counts.ocsp) ?>
    <?cs call:count_row("All types", "all", Counts.all) ?>
    </tbody>
  </table>
</section>
<section class="expiring">
  <h2>Issued certificates expiring soon</h2>
  <table class="counts">
    <tr id="expiring-30"><th>Within 30 days</th><td><?cs var:Expiring.d30 ?></td></tr>
    <tr id="expiring-60"><th>Within 60 days</th><td><?cs var:Expiring.d60 ?></td></tr>
    <tr id="expiring-90"><th>Within 90 days</th><td><?cs var:Expiring.d90 ?></td></tr>
  </table>
</section>
<section class="chart">
  <h2>Certificates issued per day</h2>
  <p><?cs var:Chart.total ?> issued from <?cs var:Chart.first ?> to <?cs var:Chart.last ?> (UTC); the tallest bar is <?cs var:Chart.max ?>.</p>
  <svg xmlns="http://www.w3.org/2000/svg" id="issuance-chart" role="img" aria-label="Certificates issued per day, last 90 days"
    width="<?cs var:Chart.width ?>" height="<?cs var:Chart.height ?>" viewBox="0 0 <?cs var:Chart.width ?> <?cs var:Chart.height ?>">
    <rect x="0" y="0" width="<?cs var:Chart.width ?>" height="<?cs var:Chart.height ?>" fill="#f4f6f8"/>
    <?cs each:b = Chart.bars ?><rect class="bar" x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:Chart.bar_width ?>" height="<?cs var:b.h ?>" fill="#2f6f9f"><title><?cs var:b.date ?>: <?cs var:b.count ?></title></rect>
    <?cs /each ?>
  </svg>
</section>
<?cs include:"admin/footer.cs" ?>
