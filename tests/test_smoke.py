def test_login_page_is_indonesian_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="id"' in response.content.decode() or "Masuk" in response.content.decode()
