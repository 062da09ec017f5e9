# cgi/admin/: admin.fcgi, the administrators' portal.
