urlpatterns: list = []
family_urlpatterns: list = []
