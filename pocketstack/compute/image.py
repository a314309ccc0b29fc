"""The Image service, seen from Compute: REST calls with keystoneauth1.

Nova reads images and writes snapshots through Glance's public API, never its
database.  Each call carries the user's token (so Glance applies the user's
visibility rules), the service's own token as ``X-Service-Token`` (so a long
snapshot upload survives the user's token expiring), and the request id as
the global request id, which Glance logs beside its own (service_client.py).
"""
import urllib.parse

from pocketstack.common import exception
from pocketstack.common import service_client


class ImageClient(service_client.ServiceClient):

    service_name = 'Image'

    def __init__(self, conf):
        super().__init__(conf, 'image', 'glance')

    def error(self, resp, method, path):
        if resp.status_code == 404:
            return exception.NotFound('Image not found: %s' % path.rsplit('/', 1)[-1])
        return super().error(resp, method, path)

    def _request(self, context, method, path, body=None, data=None, headers=None):
        return self.request(context, method, path, body=body, data=data, headers=headers)

    def get(self, context, image_id):
        return self._request(context, 'GET', '/v2/images/%s' % service_client.quoted(image_id))

    def list(self, context, filters):
        """Images matching ``filters`` (Glance's list query), every page."""
        found, query = [], dict(filters)
        while True:
            page = self._request(context, 'GET', '/v2/images?' + urllib.parse.urlencode(query))
            found += page['images']
            if 'next' not in page or not page['images']:
                return found
            query['marker'] = page['images'][-1]['id']

    def create(self, context, values):
        return self._request(context, 'POST', '/v2/images', body=values)

    def upload(self, context, image_id, chunks):
        self._request(context, 'PUT', '/v2/images/%s/file' % service_client.quoted(image_id),
                      data=chunks,
                      headers={'Content-Type': 'application/octet-stream'})

    def delete(self, context, image_id):
        try:
            self._request(context, 'DELETE', '/v2/images/%s' % service_client.quoted(image_id))
        except exception.NotFound:
            pass
